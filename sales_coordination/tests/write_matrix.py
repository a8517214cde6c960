"""Who may change which stored field, tried the way a client would: the base
of each addon's write-matrix test (``test_write_matrix.py``).

Every stored field an addon defines (on its own models and on the ones it
extends) is written by each role, through ``write`` and ``web_save``, on a
record of the cast that the role has a reason to touch; and given at
``create``. Each attempt runs in a savepoint rolled back at once. An attempt is
*refused* when the rules say no (an AccessError, or a UserError that is not a
ValidationError); a ValidationError says the value was checked, so the rules let
the role that far. The addon's table lists, per field, the roles that may
change it; a field missing from the table fails the test, so that whoever adds a
field decides who may write it.
"""

from datetime import date, datetime, timedelta

import psycopg2

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

# Roles, by the letter the tables use.
ROLES = {
    "A": "advisor",
    "C": "coordinator",
    "O": "other_coordinator",
    "M": "manager",
    "P": "portal",
}
MAGIC = frozenset({"id", "create_uid", "create_date", "write_uid", "write_date"})
NOW = datetime(2031, 3, 3, 12, 0)
CHANGED = "Changed by a client"


class Rollback(Exception):
    """Ends an attempt that went through, so that its savepoint rolls back."""


class WriteMatrixMixin:
    """For a test class on ``SalesCoordinationCommon``: ``_matrix_module``, the
    addon; ``WRITE`` ``{(model, field): roles}``; ``CREATE``
    ``{(model, field): roles}`` for the fields a new record may be given
    (only tried for the models in ``_matrix_creators``: ``{model: roles}``, the
    roles that create such records at all); ``_matrix_records()``, a record per
    model."""

    _matrix_module = None
    WRITE = {}
    CREATE = {}
    # Fields whose value follows another record's (any other value is refused
    # by the model's own check): that refusal counts as the role's.
    FOLLOWS = frozenset()

    @classmethod
    def _matrix_users(cls):
        cls.portal = cls._new_user("sc_portal", "base.group_portal", "Pat Portal")
        return {letter: getattr(cls, name) for letter, name in ROLES.items()}

    def _matrix_fields(self):
        """``{model: [field]}``: the stored fields the addon defines."""
        found = {}
        for name, Model in self.env.registry.items():
            if Model._abstract or Model._transient or not Model._auto:
                continue
            for field in Model._fields.values():
                if (
                    field.name in MAGIC
                    or not field.store
                    or field.type == "one2many"
                    or not self._is_ours(field)
                ):
                    continue
                found.setdefault(name, []).append(field)
        return found

    def _is_ours(self, field):
        """The addon defines the field (or overrides it, nobody else does)."""
        modules = set(field._modules or ())
        return self._matrix_module in modules and all(
            module.startswith("sales_coordination") for module in modules
        )

    # What is written

    def _new_value(self, record, field, fresh=False):
        """A value that changes ``field`` of ``record`` (or, ``fresh``, that a
        new record would not get by default) and that its type and model
        accept."""
        special = self._matrix_values().get((record._name, field.name))
        if special is not None:
            return special
        current = record.sudo()[field.name]
        if fresh:
            current = record.sudo().browse()[field.name] if field.relational else False
        kind = field.type
        if kind in ("char", "text", "html"):
            return CHANGED
        if kind == "integer":
            return (current or 0) + 7
        if kind in ("float", "monetary"):
            return (current or 0) + 7.5
        if kind == "boolean":
            return not current
        if kind == "selection":
            keys = [key for key, _label in field._description_selection(self.env)]
            return next(key for key in reversed(keys) if key != current)
        if kind == "date":
            return (current or date(2031, 3, 1)) + timedelta(days=35)
        if kind == "datetime":
            return (current or NOW) + timedelta(days=1, hours=1)
        if kind == "json":
            return {"changed": CHANGED}
        if kind == "many2one":
            return self._other_record(field.comodel_name, current).id
        if kind == "many2many":
            return [Command.link(self._other_record(field.comodel_name, current).id)]
        raise AssertionError(f"No value to try for {field}: add it to _matrix_values")

    def _took(self, record, field, value):
        """Whether ``record`` holds ``value`` (as written) in ``field``."""
        stored = record.sudo()[field.name]
        if field.type == "many2one":
            return stored.id == value
        if field.type == "many2many":
            return value[0][1] in stored.ids
        if field.type in ("float", "monetary"):
            return abs((stored or 0) - value) < 0.01
        return stored == value

    def _matrix_values(self):
        """``{(model, field): value}`` where the type's value does not fit."""
        return {}

    def _other_record(self, model, current):
        preferred = {
            "res.users": self.other_coordinator,
            "res.company": self.company_2,
            "crm.lead": self.lead_2,
        }.get(model)
        if preferred and preferred not in current:
            return preferred
        other = (
            self.env[model]
            .sudo()
            .search([("id", "not in", current.ids)], limit=1, order="id desc")
        )
        self.assertTrue(other, f"No other {model} to try: add one to the cast.")
        return other

    # How it is written

    def _attempt(self, action, check):
        """``action()`` in a savepoint rolled back at once: ``allowed`` when it
        went through and ``check(result)`` finds the value written, ``refused``
        when the rules said no (or the value did not take), else what the model
        said of the value (to be given one it accepts)."""
        cr = self.env.cr
        savepoint = cr.savepoint()
        try:
            with mute_logger("odoo.sql_db", "odoo.models.unlink"):
                result = action()
                self.env.flush_all()
                outcome = "allowed" if check(result) else "refused"
        except ValidationError as error:
            outcome = f"invalid: {error}"
        except UserError:
            outcome = "refused"
        except psycopg2.Error as error:
            outcome = f"invalid: {error.pgerror}"
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()
        return outcome

    def _write_outcomes(self, users, records, fields_by_model, invalid):
        """``{(model, field): (write roles, web_save roles)}`` as observed."""
        observed = {}
        for model, fields_ in fields_by_model.items():
            record = records[model]
            for field in fields_:
                value = self._new_value(record, field)
                by_path = {"write": "", "web_save": ""}
                for letter, user in users.items():
                    mine = record.with_user(user)
                    vals = {field.name: value}
                    for path, action in (
                        ("write", lambda mine=mine, vals=vals: mine.write(vals)),
                        (
                            "web_save",
                            lambda mine=mine, vals=vals: mine.web_save(vals, {}),
                        ),
                    ):
                        outcome = self._attempt(
                            action,
                            lambda _result,
                            rec=record,
                            field=field,
                            value=value: self._took(rec, field, value),
                        )
                        if outcome == "allowed":
                            by_path[path] += letter
                        elif outcome != "refused" and (
                            (model, field.name) not in self.FOLLOWS
                        ):
                            invalid.append(
                                f"{model}.{field.name} {path} {letter} {outcome}"
                            )
                observed[(model, field.name)] = (by_path["write"], by_path["web_save"])
        return observed

    def _create_outcomes(self, users, records, fields_by_model, creators, invalid):
        observed = {}
        for model, roles in creators.items():
            base = self._create_values(model)
            for field in fields_by_model.get(model, ()):
                value = self._new_value(records[model], field, fresh=True)
                allowed = ""
                for letter in roles:
                    Model = self.env[model].with_user(users[letter])
                    vals = {**base, field.name: value}
                    outcome = self._attempt(
                        lambda Model=Model, vals=vals: Model.create(vals),
                        lambda created, field=field, value=value: self._took(
                            created, field, value
                        ),
                    )
                    if outcome == "allowed":
                        allowed += letter
                    elif outcome != "refused":
                        invalid.append(
                            f"{model}.{field.name} create {letter} {outcome}"
                        )
                observed[(model, field.name)] = allowed
        return observed

    def _create_values(self, model):
        """The values of a new record of ``model`` that its creators may give."""
        raise AssertionError(f"Say how a {model} is created: _create_values")

    def _check_matrix(self, records, creators):
        """Walk every field of the addon, and fail with the lines to change in
        the tables when what the roles may do differs from them."""
        users = self._matrix_users()
        fields_by_model = self._matrix_fields()
        missing_records = sorted(set(fields_by_model) - set(records))
        self.assertFalse(
            missing_records,
            f"Give the write matrix a record of {missing_records} (_matrix_records).",
        )
        invalid = []
        observed = self._write_outcomes(users, records, fields_by_model, invalid)
        created = self._create_outcomes(
            users, records, fields_by_model, creators, invalid
        )
        unlisted, wrong = [], []
        for key, (by_write, by_web_save) in sorted(observed.items()):
            line = f"    {key!r}: {by_write!r},"
            if by_web_save != by_write:
                line += f"  # web_save: {by_web_save!r}"
            if key not in self.WRITE:
                unlisted.append(line)
            elif (by_write, by_web_save) != (self.WRITE[key], self.WRITE[key]):
                wrong.append(line)
        for key, allowed in sorted(created.items()):
            if allowed != self.CREATE.get(key, creators[key[0]]):
                wrong.append(f"    create {key!r}: {allowed!r},")
        message = []
        if invalid:
            message.append(
                "The model refused the value tried, not the role: give a value it "
                "accepts (_matrix_values, _create_values):"
            )
            message += invalid
        if unlisted:
            message.append(
                "New stored fields: decide who may change them and place them on "
                f"the list (WRITE of {type(self).__name__}); as they are today:"
            )
            message += unlisted
        if wrong:
            message.append("Who may change these is not what the list says:")
            message += wrong
        self.assertFalse(message, "\n".join(message))
