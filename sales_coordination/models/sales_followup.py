from odoo import api, fields, models
from odoo.exceptions import ValidationError

KINDS = [
    ("quote", "Quote Follow-up"),
    ("callback", "Callback"),
    ("confirmation", "Appointment Confirmation"),
    ("happy_call", "Happy Call"),
    ("reset", "Reset (Rebook After a No-show)"),
    ("rehash", "Rehash (Another Visit)"),
]


class SalesFollowup(models.Model):
    """A call the coordinators owe a customer, in a window agreed with them."""

    _name = "sales.followup"
    _description = "Follow-up Call"
    _order = "window_start, priority_score desc, id"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="lead_id.partner_id", string="Customer")
    advisor_id = fields.Many2one(
        related="lead_id.user_id", string="Advisor", store=True, index=True
    )
    coordinator_id = fields.Many2one(
        related="lead_id.coordinator_id", string="Coordinator", store=True
    )
    kind = fields.Selection(KINDS, required=True, default="callback", index=True)
    window_start = fields.Datetime(required=True, index=True)
    window_end = fields.Datetime(required=True)
    priority_score = fields.Float(
        string="Priority", index=True, help="Higher is called first."
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("claimed", "Claimed"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="queued",
        index=True,
    )
    claimed_by_id = fields.Many2one("res.users", string="Claimed By", readonly=True)
    claim_expires_at = fields.Datetime(readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    call_ids = fields.One2many("sales.call", "followup_id", string="Calls")
    debrief_id = fields.Many2one(
        "sales.debrief", string="From Debrief", index="btree_not_null", readonly=True
    )
    note = fields.Text()

    @api.constrains("window_start", "window_end")
    def _check_window(self):
        for followup in self:
            if followup.window_end <= followup.window_start:
                raise ValidationError(
                    self.env._(
                        "The call window must end after it starts: check the day and "
                        "the part of the day agreed with the customer."
                    )
                )
