from odoo import api, models
from odoo.exceptions import UserError

from ..tools.workflow import is_owned, owning

EMPTY = frozenset({False, None, ""})


class SalesWorkflowMixin(models.AbstractModel):
    """Fields that only the addon's own rules move: refused in ``write`` and
    ``create`` (context defaults included) unless the method owning the field
    writes it (see ``tools/workflow.py``) or the code runs as superuser (data
    files, upgrades, the scheduler)."""

    _name = "sales.workflow.mixin"
    _description = "Fields Only Their Rules Move"

    # Each workflow field, with the values a new record may be given (what its
    # rule starts it at; None: any, the field is set once, at creation).
    _sales_workflow_fields = {}

    def _sales_check_workflow_write(self, vals):
        if self.env.su:
            return
        forged = [
            name
            for name in vals
            if name in self._sales_workflow_fields and not is_owned(self._name, name)
        ]
        if forged:
            raise UserError(self._sales_workflow_message(forged))

    @api.model
    def _sales_check_workflow_create(self, vals_list):
        if self.env.su:
            return
        defaults = {
            key.removeprefix("default_"): value
            for key, value in self.env.context.items()
            if key.startswith("default_")
        }
        for vals in vals_list:
            given = {**defaults, **vals}
            forged = [
                name
                for name, initial in self._sales_workflow_fields.items()
                if name in given
                and initial is not None
                and given[name] not in initial
                and not is_owned(self._name, name)
            ]
            if forged:
                raise UserError(self._sales_workflow_message(forged))

    def _sales_workflow_message(self, names):
        labels = ", ".join(
            f"“{self._fields[name]._description_string(self.env)}”" for name in names
        )
        return self.env._(
            "Only the record's own buttons and actions (such as Next call, No-show "
            "or Confirm) change %(fields)s of a %(model)s: use them rather than "
            "writing the value directly.",
            fields=labels,
            model=self.env["ir.model"]._get(self._name).name,
        )

    def _sales_write_workflow(self, vals):
        """Write ``vals`` as the rule that owns their workflow fields. Callers have
        checked that the change is the rule's to make."""
        with owning(self._name, *vals):
            return self.write(vals)

    @api.model
    def _sales_create_workflow(self, vals_list):
        """Create records whose workflow fields the calling rule sets."""
        names = {name for vals in vals_list for name in vals}
        with owning(self._name, *names):
            return self.create(vals_list)
