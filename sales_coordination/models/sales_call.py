from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


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
    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade")
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

    @api.constrains("duration")
    def _check_duration(self):
        if any(call.duration < 0 for call in self):
            raise ValidationError(self.env._("A call cannot last less than nothing."))

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls.filtered(lambda call: call._is_contact())._record_contact()
        return calls

    def _is_contact(self):
        """A call we made to the customer, or one of theirs we answered."""
        self.ensure_one()
        return self.direction == "out" or self.result == "connected"

    def _record_contact(self):
        for lead, calls in self.grouped("lead_id").items():
            lead._sales_record_contact(max(calls.mapped("call_date")))
