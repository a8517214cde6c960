from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_lead_entry_restricted = fields.Boolean(
        string="Coordinators Own Lead Entry",
        default=True,
        help="Only coordinators, backup coordinators and managers create leads; "
        "field advisors pass new leads on to them.",
    )
    sales_not_contacted_days = fields.Integer(
        string="Not Contacted Alert (Days)",
        default=3,
        help="An open lead nobody has contacted for this many days is flagged and "
        "its coordinator gets an activity.",
    )

    sales_debrief_overdue_hours = fields.Integer(
        string="Debrief Overdue After (Hours)",
        default=24,
        help="An appointment without a debrief this long after its end is overdue.",
    )
    sales_daily_capacity = fields.Integer(
        string="Appointments a Day", default=4, help="Default for new advisors."
    )
    sales_weekly_capacity = fields.Integer(
        string="Appointments a Week", default=20, help="Default for new advisors."
    )
    sales_appointment_duration = fields.Float(
        string="Appointment Length (Hours)", default=1.5
    )
    sales_travel_speed = fields.Float(string="Travel Speed (km/h)", default=40.0)
    sales_stop_minutes = fields.Float(
        string="Minutes per Stop",
        default=10.0,
        help="Added to the drive for parking, walking up, leaving.",
    )
    sales_daily_call_target = fields.Integer(
        string="Calls a Day per Coordinator",
        default=120,
        help="The daily target the coordinator board measures calls against.",
    )
    sales_advisor_weekly_meetings = fields.Integer(
        string="Meetings a Week per Advisor",
        default=20,
        help="What the resourcing planner counts on for each field advisor.",
    )
    sales_quote_followup_days = fields.Integer(
        string="Quote Follow-up After (Days)",
        default=2,
        help="The follow-up day offered by default in a debrief, counted from the "
        "appointment.",
    )
    sales_happy_call_days = fields.Integer(
        string="Happy Call After (Days)",
        default=7,
        help="A happy call is queued this many days after a sale.",
    )
    sales_rehash_days = fields.Integer(
        string="Rehash Call After (Days)",
        default=0,
        help="After a demo that ended lost or abandoned, queue a call for another "
        "visit this many days later; 0 turns it off. Never after a definitive no.",
    )
    sales_priority_decay = fields.Float(
        string="Daily Decay of a Quote (%)",
        default=5.0,
        help="Each day since the quote lowers the chance to close, and with it the "
        "follow-up's priority, by this share.",
    )
    sales_claim_minutes = fields.Integer(
        string="Claim Lease (Minutes)",
        default=15,
        help="A call handed out by Next call returns to the queue if it is not "
        "logged within this time.",
    )
    sales_max_attempts = fields.Integer(
        string="Attempts Before Escalation",
        default=5,
        help="After this many unanswered calls, the manager gets an activity.",
    )
    sales_shared_queue = fields.Boolean(
        string="Shared Call Pool",
        help="Coordinators cover each other: when a coordinator's own and backup "
        "calls are done, Next call hands out the other coordinators' due calls, and "
        "coordinators see every lead of the company.",
    )
    sales_morning_start = fields.Float(string="Morning From", default=8.0)
    sales_afternoon_start = fields.Float(string="Afternoon From", default=12.0)
    sales_evening_start = fields.Float(string="Evening From", default=17.0)
    sales_evening_end = fields.Float(string="Evening Until", default=20.0)

    @api.constrains(
        "sales_morning_start",
        "sales_afternoon_start",
        "sales_evening_start",
        "sales_evening_end",
    )
    def _check_sales_dayparts(self):
        for company in self:
            bounds = company._sales_daypart_bounds()
            if not 0 <= bounds[0] < bounds[1] < bounds[2] < bounds[3] <= 24:
                raise ValidationError(
                    self.env._(
                        "The parts of the day must follow each other within the day: "
                        "morning, then afternoon, then evening."
                    )
                )

    @api.constrains(
        "sales_travel_speed", "sales_stop_minutes", "sales_appointment_duration"
    )
    def _check_sales_travel(self):
        for company in self:
            if company.sales_travel_speed <= 0 or company.sales_stop_minutes < 0:
                raise ValidationError(
                    self.env._(
                        "The travel speed must be positive and the minutes "
                        "per stop cannot be negative."
                    )
                )
            if company.sales_appointment_duration <= 0:
                raise ValidationError(self.env._("An appointment must last some time."))

    def _sales_daypart_bounds(self):
        self.ensure_one()
        return (
            self.sales_morning_start,
            self.sales_afternoon_start,
            self.sales_evening_start,
            self.sales_evening_end,
        )

    def _sales_daypart_hours(self, daypart):
        """(from, to) hours of ``daypart`` (morning, afternoon, evening)."""
        bounds = self._sales_daypart_bounds()
        index = ("morning", "afternoon", "evening").index(daypart)
        return bounds[index], bounds[index + 1]

    @api.constrains(
        "sales_daily_call_target",
        "sales_advisor_weekly_meetings",
        "sales_quote_followup_days",
        "sales_happy_call_days",
        "sales_rehash_days",
        "sales_priority_decay",
        "sales_claim_minutes",
        "sales_max_attempts",
    )
    def _check_sales_queue(self):
        for company in self:
            if (
                company.sales_daily_call_target < 0
                or company.sales_advisor_weekly_meetings < 1
            ):
                raise ValidationError(
                    self.env._(
                        "The call target cannot be negative and an advisor runs at "
                        "least one meeting a week."
                    )
                )
            if (
                min(
                    company.sales_quote_followup_days,
                    company.sales_happy_call_days,
                    company.sales_rehash_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._("Follow-up delays cannot be negative.")
                )
            if not 0 <= company.sales_priority_decay < 100:
                raise ValidationError(
                    self.env._("The daily decay is a share from 0 up to 100%.")
                )
            if company.sales_claim_minutes < 1 or company.sales_max_attempts < 1:
                raise ValidationError(
                    self.env._(
                        "A claim lasts at least a minute and escalation needs at "
                        "least one attempt."
                    )
                )

    def _sales_daypart_window(self, day, daypart, tz):
        """(start, end) in naive UTC of ``daypart`` on the local ``day`` in ``tz``."""
        start_h, end_h = self._sales_daypart_hours(daypart)
        return self._sales_local_span(day, start_h, end_h, tz)

    def _sales_local_span(self, day, start_h, end_h, tz):
        local = datetime.combine(day, time.min, tzinfo=ZoneInfo(tz or "UTC"))
        return tuple(
            (local + timedelta(hours=hours))
            .astimezone(timezone.utc)
            .replace(tzinfo=None)
            for hours in (start_h, end_h)
        )

    @api.constrains("sales_not_contacted_days")
    def _check_sales_not_contacted_days(self):
        if any(company.sales_not_contacted_days < 1 for company in self):
            raise ValidationError(
                self.env._("The not-contacted alert needs at least one day.")
            )

    # The customer's own answers to the appointment (see calendar_attendee.py).
    sales_customer_invitation = fields.Boolean(
        string="Invite Customers by E-mail",
        default=True,
        help="Odoo's invitation (and its notice when the appointment moves) goes "
        "to the customer of each sales appointment, with Accept and Decline; off, "
        "customers get no e-mail from the calendar.",
    )
    sales_confirm_accepted = fields.Boolean(
        string="Confirmation Call Even When Accepted",
        help="Call the day before a visit the customer has already accepted in "
        "the invitation; off, their acceptance ends the confirmation call.",
    )
    sales_reminder_email = fields.Boolean(
        string="E-mail Reminder the Day Before",
        default=True,
        help="Sales appointments booked from now on carry Odoo's calendar reminder "
        "by e-mail, sent a day before the visit to those who have not declined.",
    )
