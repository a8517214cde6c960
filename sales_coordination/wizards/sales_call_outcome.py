from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.crm_lead import DAYPARTS

# What the coordinator picks, and the call result and outcome it stands for.
CHOICES = [
    ("no_answer", "No Answer"),
    ("voicemail", "Left a Voicemail"),
    ("booked", "Connected: Appointment Booked"),
    ("later", "Connected: Needs More Time"),
    ("done", "Connected: Done (Confirmed, Happy Call Made)"),
    ("won", "Connected: Yes, They Buy"),
    ("lost", "Connected: No"),
    ("wrong_number", "Wrong Number"),
]
RESULTS = {
    "no_answer": ("no_answer", None),
    "voicemail": ("voicemail", None),
    "wrong_number": ("wrong_number", None),
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
    customer_response = fields.Selection(
        related="followup_id.event_id.customer_response",
        string="The Customer's Answer to the Visit",
    )
    attempt_count = fields.Integer(related="followup_id.attempt_count")
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

    def action_confirm(self):
        """Log the call on the follow-up; open the booking after "booked"."""
        self.ensure_one()
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
        return {"type": "ir.actions.act_window_close"}

    def action_release(self):
        """Put the call back in the queue without calling."""
        self.ensure_one()
        self.followup_id.action_release()
        return {"type": "ir.actions.act_window_close"}
