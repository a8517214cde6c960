from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..tools import travel

TRAVEL_SOURCES = [(travel.ROAD, "Road"), (travel.ESTIMATE, "Estimate")]


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
    nearest_ids = fields.One2many(
        "sales.booking.nearest", "wizard_id", string="Nearest Upcoming Visits"
    )
    travel_note = fields.Char(string="Drive Times", readonly=True)
    manual_advisor_id = fields.Many2one(
        "res.users", string="Advisor", domain=[("is_field_advisor", "=", True)]
    )
    manual_start = fields.Datetime(string="Start")
    override_capacity = fields.Boolean(
        help="Managers only: book even though the advisor's day or week is full, or "
        "their day's driving over the company's limit.",
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
        lines = self._proposal_lines()
        nearest = self.env["sales.appointment.scheduler"].nearest_appointments(
            self.lead_id, limit=5
        )
        sources = {line["travel_source"] for line in lines} | {
            line["travel_source"] for line in nearest
        }
        if not sources:
            note = False
        elif sources == {travel.ROAD}:
            note = self.env._("From the road network (routing server).")
        elif (self.lead_id.company_id or self.env.company).sales_routing_url:
            note = self.env._(
                "Estimated where the routing server gave no drive (marked Estimate)."
            )
        else:
            note = self.env._("Estimated from the distance: no routing server is set.")
        self.write(
            {
                "proposal_ids": [(5, 0, 0)] + [(0, 0, line) for line in lines],
                "nearest_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "event_id": line["event_id"],
                            "advisor_id": line["advisor_id"],
                            "start": line["start"],
                            "drive_minutes": line["drive_minutes"],
                            "travel_source": line["travel_source"],
                            "sequence": index,
                        },
                    )
                    for index, line in enumerate(nearest)
                ],
                "travel_note": note,
            }
        )

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
                "drive_before_minutes": proposal["drive_before_minutes"],
                "drive_after_minutes": proposal["drive_after_minutes"],
                "day_drive_minutes": proposal["day_drive_minutes"],
                "travel_source": proposal["travel_source"],
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
    drive_before_minutes = fields.Float(string="Drive There (min)", readonly=True)
    drive_after_minutes = fields.Float(string="Drive On (min)", readonly=True)
    day_drive_minutes = fields.Float(string="Day's Drive (min)", readonly=True)
    travel_source = fields.Selection(TRAVEL_SOURCES, string="Drive From", readonly=True)
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


class SalesBookingNearest(models.TransientModel):
    _name = "sales.booking.nearest"
    _description = "Upcoming Visit Near the Customer"
    _order = "sequence"

    wizard_id = fields.Many2one(
        "sales.booking.wizard", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    event_id = fields.Many2one("calendar.event", string="Visit", readonly=True)
    advisor_id = fields.Many2one("res.users", readonly=True)
    start = fields.Datetime(string="Day and Time", readonly=True)
    drive_minutes = fields.Float(string="Drive (min)", readonly=True)
    travel_source = fields.Selection(TRAVEL_SOURCES, string="Drive From", readonly=True)
