from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.workflow import is_owned


class SalesCall(models.Model):
    _name = "sales.call"
    _description = "Logged Call"
    _order = "call_date desc, id desc"
    _rec_name = "lead_id"

    user_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    # A logged call outlives nothing it counts for: its lead is archived, not
    # deleted, while it holds calls (see crm.lead).
    # Every call is logged on a lead (checked below). The database keeps a call
    # whose lead is deleted around this addon (by code that does not go through
    # crm.lead.unlink, which archives such leads instead): set null, not
    # cascade, so that the call still counts where it was made.
    lead_id = fields.Many2one("crm.lead", index=True, ondelete="set null")
    followup_id = fields.Many2one(
        "sales.followup",
        string="Follow-up",
        index="btree_not_null",
        ondelete="set null",
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    direction = fields.Selection(
        [("in", "Inbound"), ("out", "Outbound")], required=True, default="out"
    )
    result = fields.Selection(
        [
            ("no_answer", "No Answer"),
            ("voicemail", "Voicemail"),
            ("connected", "Connected"),
            ("wrong_number", "Wrong Number"),
        ],
        required=True,
        default="connected",
    )
    call_date = fields.Datetime(
        string="Date", required=True, index=True, default=fields.Datetime.now
    )
    duration = fields.Integer(string="Duration (s)", help="Length of the call.")
    note = fields.Text()

    def init(self):
        # The coordinator board counts each coordinator's calls of the month per
        # company: an index-only scan of the month's calls.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS sales_call_date_user_company_index "
                "ON sales_call (call_date) INCLUDE (user_id, company_id, result)"
            )
        )

    @api.constrains("lead_id")
    def _check_lead(self):
        if any(not call.lead_id for call in self):
            raise ValidationError(
                self.env._(
                    "Say which lead the call was with: a call is logged on a lead."
                )
            )

    @api.constrains("duration")
    def _check_duration(self):
        if any(call.duration < 0 for call in self):
            raise ValidationError(self.env._("A call cannot last less than nothing."))

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su or is_owned(self._name, "user_id")):
            user_id = self.env.context.get("default_user_id")
            for vals in vals_list:
                if vals.get("user_id", user_id) not in (None, False, self.env.uid):
                    raise UserError(self._sales_not_yours_message())
        calls = super().create(vals_list)
        # (a constraint on lead_id runs only when it is given)
        calls._check_lead()
        calls.filtered(lambda call: call._is_contact())._record_contact()
        return calls

    def write(self, vals):
        # Who made a call, and when someone else's was made, are what the board
        # counts: nobody rewrites them.
        if not self.env.su and (
            "user_id" in vals
            or ("call_date" in vals and any(c.user_id != self.env.user for c in self))
        ):
            raise UserError(self._sales_not_yours_message())
        return super().write(vals)

    def _sales_not_yours_message(self):
        return self.env._(
            "A logged call stays with the coordinator who made it, at the time they "
            "made it: log your own calls, and leave the others' as they are."
        )

    def _is_contact(self):
        """A call we made to the customer, or one of theirs we answered."""
        self.ensure_one()
        return self.direction == "out" or self.result == "connected"

    def _record_contact(self):
        for lead, calls in self.grouped("lead_id").items():
            lead._sales_record_contact(max(calls.mapped("call_date")))
