import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..tools.priority import daily_points
from ..tools.windows import describe_window, hour_label
from ..tools.workflow import owning
from .sales_workflow_mixin import EMPTY


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "sales.workflow.mixin"]
    _sales_workflow_fields = {"sales_priority_rate_pending": EMPTY}

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
    sales_routing_url = fields.Char(
        string="Routing Server (OSRM)",
        help="The base URL of the company's OSRM server, e.g. http://127.0.0.1:5000: "
        "drive times then come from its road network. Empty: the distance at the "
        "travel speed is used.",
    )
    sales_max_day_drive_minutes = fields.Integer(
        string="Drive Limit a Day (Minutes)",
        default=0,
        help="No slot is proposed that would give an advisor's day more driving "
        "than this; 0: no limit.",
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
    sales_priority_rate_pending = fields.Boolean(
        readonly=True,
        copy=False,
        help="The daily decay changed: queued calls are being brought to it.",
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

    @api.constrains("sales_routing_url", "sales_max_day_drive_minutes")
    def _check_sales_routing(self):
        for company in self:
            url = company.sales_routing_url or ""
            if url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
                raise ValidationError(
                    self.env._(
                        "The routing server must be an http:// or https:// address, "
                        "such as http://127.0.0.1:5000."
                    )
                )
            if company.sales_max_day_drive_minutes < 0:
                raise ValidationError(
                    self.env._("The drive limit of a day cannot be negative.")
                )

    def write(self, vals):
        self._sales_check_workflow_write(vals)
        if "sales_priority_decay" not in vals:
            return super().write(vals)
        with owning(self._name, "sales_priority_rate_pending"):
            res = super().write({**vals, "sales_priority_rate_pending": True})
        # The queued calls take the new rate in short batches, at once (sudo:
        # scheduling the queue's own upkeep, whoever changed the setting).
        cron = self.env.ref(
            "sales_coordination.ir_cron_followup_priority", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()
        return res

    @api.model
    @tools.ormcache("company_id")
    def _sales_parent_path(self, company_id):
        """The ``parent_path`` of the company ``company_id``, kept per process:
        Odoo refuses to change a company's parent, so it never changes (the
        registry's caches are cleared when a company is deleted). Only for the
        current user's companies (``_sales_prefetch_parent_paths``)."""
        # sudo: the place in the tree of one of the user's own companies, which
        # Odoo's rule reads with sudo as well (parent_of).
        return self.sudo().browse(company_id).parent_path

    @api.model
    def _sales_prefetch_parent_paths(self):
        """Put the current companies' ``parent_path`` in the cache without a
        query: Odoo's rule on contacts walks the user's companies' tree
        (parent_of), which reads it at every search of contacts, a query of its
        own. ``env.companies`` are the user's own: Odoo checked them against
        the user's companies when it made the environment."""
        companies = self.env.companies
        field = self._fields["parent_path"]
        missing = companies.browse(
            list(self.env.cache.get_missing_ids(companies, field))
        )
        self.env.cache.insert_missing(
            missing, field, [self._sales_parent_path(id_) for id_ in missing._ids]
        )

    def _sales_priority_rate(self):
        """The points each day since the quote costs a follow-up of this company."""
        self.ensure_one()
        return daily_points(self.sales_priority_decay)

    def _sales_daypart_bounds(self):
        self.ensure_one()
        return (
            self.sales_morning_start,
            self.sales_afternoon_start,
            self.sales_evening_start,
            self.sales_evening_end,
        )

    def _sales_describe_window(self, start, end, tz=None):
        """The window ``start``-``end`` (naive UTC) as agreed with the customer,
        in ``tz`` (default: the user's) and the user's language: "Tue 1 Dec,
        morning" (see tools/windows.py)."""
        self.ensure_one()
        if not (start and end and end > start):
            return False
        zone = ZoneInfo(tz or self.env.context.get("tz") or self.env.user.tz or "UTC")

        def local(moment):
            return (
                moment.replace(tzinfo=timezone.utc)
                .astimezone(zone)
                .replace(tzinfo=None)
            )

        words = {
            "morning": self.env._("morning"),
            "afternoon": self.env._("afternoon"),
            "evening": self.env._("evening"),
            "all day": self.env._("all day"),
            "or": lambda phrases: self.env._(" or ").join(phrases),
            "after": lambda hour: self.env._("after %(time)s", time=hour_label(hour)),
            "before": lambda hour: self.env._("before %(time)s", time=hour_label(hour)),
            "between": lambda first, last: self.env._(
                "%(start)s-%(end)s", start=hour_label(first), end=hour_label(last)
            ),
            "day": lambda day, phrase: self.env._(
                "%(day)s, %(part)s", day=day, part=phrase
            ),
            "to": lambda first, last: self.env._(
                "%(first)s to %(last)s", first=first, last=last
            ),
        }
        return describe_window(
            local(start),
            local(end),
            self._sales_daypart_bounds(),
            words,
            lambda day: format_date(self.env, day, date_format="EEE d MMM"),
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
