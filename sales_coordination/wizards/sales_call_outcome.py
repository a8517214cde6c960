from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.crm_lead import DAYPARTS

# What the coordinator picks, and the call result and outcome it stands for.
CHOICES = [
    ("confirmed", "Connected: Visit Confirmed"),
    ("move", "Connected: Wants to Move the Visit"),
    ("cancel", "Connected: Cancels the Visit"),
    ("booked", "Connected: Appointment Booked"),
    ("later", "Connected: Needs More Time"),
    ("done", "Connected: Done (Happy Call Made, Nothing More to Call About)"),
    ("won", "Connected: Yes, They Buy"),
    ("lost", "Connected: No"),
    ("no_answer", "No Answer"),
    ("voicemail", "Left a Voicemail"),
    ("wrong_number", "Wrong Number"),
]
RESULTS = {
    "no_answer": ("no_answer", None),
    "voicemail": ("voicemail", None),
    "wrong_number": ("wrong_number", None),
    "confirmed": ("connected", "done"),
    "move": ("connected", "booked"),
    "cancel": ("connected", "lost"),
}
# The choices offered for each kind of call, in the order shown (each stands for
# an outcome the follow-up allows for its kind, see KIND_OUTCOMES).
NOT_REACHED = ("no_answer", "voicemail", "wrong_number")
KIND_CHOICES = {
    "quote": ("booked", "later", "won", "lost", "done", *NOT_REACHED),
    "callback": ("booked", "later", "won", "lost", "done", *NOT_REACHED),
    "confirmation": ("confirmed", "move", "cancel", *NOT_REACHED),
    "happy_call": ("done", "later", *NOT_REACHED),
    "reset": ("booked", "later", "lost", "done", *NOT_REACHED),
    "rehash": ("booked", "later", "won", "lost", "done", *NOT_REACHED),
}


class SalesCallOutcome(models.TransientModel):
    """The screen a coordinator works a call from: who, what they want, what
    was said before, and what came of this call."""

    _name = "sales.call.outcome"
    _description = "Call Outcome"

    followup_id = fields.Many2one("sales.followup", required=True, readonly=True)
    lead_id = fields.Many2one(related="followup_id.lead_id")
    kind = fields.Selection(related="followup_id.kind")
    partner_id = fields.Many2one(related="followup_id.partner_id")
    phone = fields.Char(related="followup_id.phone")
    perceived_need = fields.Text(related="followup_id.perceived_need")
    urgency = fields.Selection(related="followup_id.urgency")
    advisor_id = fields.Many2one(related="followup_id.advisor_id")
    window_start = fields.Datetime(related="followup_id.window_start")
    window_end = fields.Datetime(related="followup_id.window_end")
    window_label = fields.Char(related="followup_id.window_label", string="Agreed")
    priority_reason = fields.Char(related="followup_id.priority_reason")
    visit_start = fields.Datetime(related="followup_id.visit_start", string="Visit On")
    visit_location = fields.Char(
        related="followup_id.event_id.location", string="Visit Address"
    )
    customer_response = fields.Selection(
        related="followup_id.event_id.customer_response",
        string="The Customer's Answer to the Visit",
    )
    lead_attempt_count = fields.Integer(related="followup_id.lead_attempt_count")
    followup_note = fields.Text(related="followup_id.note", string="Asked For")
    last_debrief_id = fields.Many2one(
        "sales.debrief",
        compute="_compute_history",
    )
    last_debrief_product = fields.Char(related="last_debrief_id.product_interest")
    last_debrief_amount = fields.Monetary(
        related="last_debrief_id.amount_untaxed", currency_field="currency_id"
    )
    last_debrief_next_step = fields.Text(related="last_debrief_id.next_step")
    currency_id = fields.Many2one(related="last_debrief_id.currency_id")
    call_ids = fields.Many2many(
        "sales.call", compute="_compute_history", string="Earlier Calls"
    )
    choice = fields.Selection(CHOICES, string="What Happened", required=True)
    allowed_choices = fields.Char(
        compute="_compute_allowed_choices",
        help="The choices that fit this kind of call, comma-separated.",
    )
    duration_minutes = fields.Float(string="Duration")
    note = fields.Text()
    callback_date = fields.Date(string="Call Again On")
    callback_daypart = fields.Selection(DAYPARTS, string="Part of the Day")
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Why Not")

    @api.depends("followup_id")
    def _compute_history(self):
        for wizard in self:
            lead = wizard.followup_id.lead_id
            wizard.last_debrief_id = lead.debrief_ids.filtered(
                lambda debrief: debrief.state == "done"
            )[:1]
            wizard.call_ids = lead.call_ids[:10]

    @api.depends("kind")
    def _compute_allowed_choices(self):
        for wizard in self:
            wizard.allowed_choices = ",".join(KIND_CHOICES.get(wizard.kind, ()))

    def action_confirm(self):
        """Log the call on the follow-up; open the booking after "booked" (or a
        visit to move); else, with the coordinator's setting, the next call
        (see ``_action_after_log``)."""
        self.ensure_one()
        if self.choice not in KIND_CHOICES[self.followup_id.kind]:
            raise ValidationError(
                self.env._(
                    "“%(choice)s” is not what a call of this kind can come to: "
                    "pick one of the choices shown.",
                    choice=dict(
                        self._fields["choice"]._description_selection(self.env)
                    )[self.choice],
                )
            )
        result, outcome = RESULTS.get(self.choice, ("connected", self.choice))
        window = (None, None)
        if self.choice == "later":
            if not (self.callback_date and self.callback_daypart):
                raise ValidationError(
                    self.env._(
                        "Agree on when to call back: a day and a part of the day."
                    )
                )
            company = self.followup_id.company_id or self.env.company
            window = company._sales_daypart_window(
                self.callback_date, self.callback_daypart, self.env.user.tz
            )
        action = self.followup_id.action_log_call(
            result,
            outcome=outcome,
            duration=round(self.duration_minutes * 60),
            note=self.note,
            window_start=window[0],
            window_end=window[1],
            lost_reason_id=self.lost_reason_id.id,
        )
        if isinstance(action, dict):
            return action
        return self._action_after_log()

    def _action_after_log(self):
        """Close the screen and bring the screen behind it up to date; then, when
        the coordinator works call after call (their setting), press Next call
        for them: its claim runs in a request of its own, once this call's log
        is committed (a claim made in this request would see this call still
        held by the coordinator, and hand it back)."""
        params = {}
        if self.env.user.sales_next_call_after_log:
            params["next"] = "sales_coordination.sales_followup_action_next_call"
        return {
            "type": "ir.actions.client",
            "tag": "sales_coordination_after_call",
            "params": params,
        }

    def action_release(self):
        """Put the call back in the queue without calling."""
        self.ensure_one()
        self.followup_id.action_release()
        return {"type": "ir.actions.act_window_close"}
