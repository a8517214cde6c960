from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime


class SalesBookingWizard(models.TransientModel):
    _name = "sales.booking.wizard"
    _description = "Book a Sales Appointment"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="lead_id.partner_id")
    date_from = fields.Datetime(
        string="From", required=True, default=fields.Datetime.now
    )
    days = fields.Integer(string="Over (Days)", default=14, required=True)
    duration = fields.Float(
        string="Length (Hours)",
        required=True,
        default=lambda self: self.env.company.sales_appointment_duration,
    )
    advisor_ids = fields.Many2many(
        "res.users",
        string="Only These Advisors",
        domain=[("is_field_advisor", "=", True)],
    )
    proposal_ids = fields.One2many(
        "sales.booking.proposal", "wizard_id", string="Proposals"
    )
    manual_advisor_id = fields.Many2one(
        "res.users", string="Advisor", domain=[("is_field_advisor", "=", True)]
    )
    manual_start = fields.Datetime(string="Start")
    override_capacity = fields.Boolean(
        help="Managers only: book even though the advisor's day or week is full.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards.filtered(lambda w: not w.proposal_ids):
            wizard._search_proposals()
        return wizards

    def action_search(self):
        self.ensure_one()
        self._search_proposals()
        return self._reopen()

    def _search_proposals(self):
        self.proposal_ids = [(5, 0, 0)] + [
            (0, 0, line) for line in self._proposal_lines()
        ]

    def _proposal_lines(self):
        """The values of the proposal lines for the wizard's search."""
        if self.days < 1 or self.days > 60:
            raise UserError(self.env._("Search between 1 and 60 days ahead."))
        proposals = self.env["sales.appointment.scheduler"].propose_slots(
            self.lead_id,
            advisors=self.advisor_ids or None,
            date_from=self.date_from,
            days=self.days,
            limit=10,
            duration=self.duration,
        )
        Event = self.env["calendar.event"]
        return [
            {
                "advisor_id": proposal["advisor_id"],
                "start": proposal["start"],
                "stop": proposal["stop"],
                "added_travel_minutes": proposal["added_travel_minutes"],
                "in_preferred_window": proposal["in_preferred_window"],
                "free_capacity": proposal["free_capacity"],
                "day_summary": self._day_summary(
                    Event.browse(proposal["day_appointment_ids"])
                ),
                "sequence": index,
            }
            for index, proposal in enumerate(proposals)
        ]

    def _day_summary(self, events):
        if not events:
            return self.env._("No other visit that day")
        parts = []
        for event in events.sorted("start"):
            local = fields.Datetime.context_timestamp(self, event.start)
            partner = event.opportunity_id.partner_id
            area = " ".join(filter(None, [partner.zip, partner.city])) or "?"
            parts.append(f"{local:%H:%M} {area}")
        return ", ".join(parts)

    def action_book_manual(self):
        self.ensure_one()
        if not (self.manual_advisor_id and self.manual_start):
            raise UserError(
                self.env._("Choose the advisor and the start time to book by hand.")
            )
        stop = self.manual_start + timedelta(hours=self.duration)
        return self._book(self.manual_advisor_id, self.manual_start, stop)

    def _book(self, advisor, start, stop):
        event = self.env["sales.appointment.scheduler"].book(
            self.lead_id, advisor, start, stop, override_capacity=self.override_capacity
        )
        form = self.env.ref("sales_coordination.calendar_event_view_form_sales")
        return event._get_records_action(views=[(form.id, "form")], context={})

    def _reopen(self):
        return self._get_records_action(target="new", context={})


class SalesBookingProposal(models.TransientModel):
    _name = "sales.booking.proposal"
    _description = "Proposed Appointment Slot"
    _order = "sequence"

    wizard_id = fields.Many2one(
        "sales.booking.wizard", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    advisor_id = fields.Many2one("res.users", readonly=True)
    start = fields.Datetime(readonly=True)
    stop = fields.Datetime(readonly=True)
    added_travel_minutes = fields.Float(string="Added Travel (min)", readonly=True)
    in_preferred_window = fields.Boolean(string="Customer's Window", readonly=True)
    free_capacity = fields.Integer(string="Free That Week", readonly=True)
    day_summary = fields.Char(string="That Day", readonly=True)
    # As a coordinator reads them to the customer: "Thu 10 Dec 13:00", "15 min".
    when_label = fields.Char(string="When", compute="_compute_labels")
    travel_label = fields.Char(
        string="Travel",
        compute="_compute_labels",
        help="The driving the visit adds to the advisor's day, in minutes.",
    )

    @api.depends("start", "added_travel_minutes")
    @api.depends_context("tz", "lang")
    def _compute_labels(self):
        for proposal in self:
            proposal.when_label = (
                format_datetime(
                    self.env,
                    proposal.start,
                    tz=self.env.context.get("tz"),
                    dt_format="EEE d MMM HH:mm",
                )
                if proposal.start
                else False
            )
            proposal.travel_label = self.env._(
                "%(minutes)s min", minutes=round(proposal.added_travel_minutes)
            )

    def action_book(self):
        self.ensure_one()
        return self.wizard_id._book(self.advisor_id, self.start, self.stop)
