import contextvars
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import slots
from ..tools.side_effect import side_effect
from ..tools.travel import Place

# Set by book() for a manager who books over capacity: a variable of the running
# code, not a key of Odoo's context, which any client may send with any write.
_CAPACITY_OVERRIDE = contextvars.ContextVar(
    "sales_coordination_capacity_override", default=False
)


def _naive_utc(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


class SalesAppointmentScheduler(models.AbstractModel):
    _name = "sales.appointment.scheduler"
    _description = "Sales Appointment Scheduler"

    # Public API

    @api.model
    def propose_slots(
        self, lead, advisors=None, date_from=None, days=14, limit=10, duration=None
    ):
        """Rank the free slots of ``advisors`` (default: every field advisor the
        current user books for) over ``days`` days from ``date_from`` (default:
        now) for an appointment with ``lead``'s customer.

        Returns a list of dicts, best first: ``advisor_id``, ``start``, ``stop``
        (naive UTC), ``added_travel_minutes``, ``score`` (higher is better),
        ``in_preferred_window``, ``free_capacity`` (that week),
        ``day_appointment_ids`` (the advisor's appointments that day which the
        current user may read: the slots also keep clear of those the advisor has
        in the other companies they work for)."""
        lead = self._as_lead(lead)
        company = lead.company_id or self.env.company
        advisors = self._bookable_advisors(lead, advisors)
        # The explicit check the agendas' sudo relies on: only those who may book
        # these advisors see when they are free.
        self.env["calendar.event"]._check_sales_appointment_access(advisors)
        date_from = fields.Datetime.to_datetime(date_from) or fields.Datetime.now()
        date_from = date_from.replace(second=0, microsecond=0)
        date_to = date_from + timedelta(days=days)
        duration = timedelta(hours=duration or company.sales_appointment_duration)
        agendas = self._agendas(advisors, date_from, date_to)
        proposals = slots.propose(
            agendas.values(),
            self._place(lead.partner_id),
            duration,
            preferred=self._preferred_windows(lead, date_from, date_to),
            travel=self._travel_settings(company),
            limit=limit,
            not_before=date_from,
        )
        readable = set(
            self.env["calendar.event"]
            .browse({a.id for proposal in proposals for a in proposal.day_appointments})
            ._filtered_access("read")
            .ids
        )
        return [
            {
                "advisor_id": proposal.advisor_id,
                "start": proposal.start,
                "stop": proposal.stop,
                "added_travel_minutes": proposal.added_travel_minutes,
                "score": proposal.score,
                "in_preferred_window": proposal.in_preferred_window,
                "free_capacity": proposal.free_capacity,
                "day_appointment_ids": [
                    a.id for a in proposal.day_appointments if a.id in readable
                ],
            }
            for proposal in proposals
        ]

    @api.model
    @api.returns("calendar.event", lambda event: event.id)
    def book(self, lead, advisor, start, stop, override_capacity=False):
        """Book ``advisor`` for ``lead`` from ``start`` to ``stop`` (naive UTC):
        the sales appointment on the advisor's calendar with the customer invited,
        the lead moved to the appointment stage. Returns the calendar.event."""
        lead = self._as_lead(lead)
        advisor = self.env["res.users"].browse(
            advisor.id if isinstance(advisor, models.BaseModel) else advisor
        )
        start = fields.Datetime.to_datetime(start)
        stop = fields.Datetime.to_datetime(stop)
        partner = lead.partner_id
        if override_capacity and not self.env.user.has_group(
            "sales_coordination.group_manager"
        ):
            raise AccessError(
                self.env._("Only a sales manager may book over an advisor's capacity.")
            )
        token = _CAPACITY_OVERRIDE.set(bool(override_capacity))
        try:
            event = self.env["calendar.event"].create(
                {
                    "name": self.env._(
                        "Visit: %(customer)s",
                        customer=partner.name or lead.contact_name or lead.name,
                    ),
                    "is_sales_appointment": True,
                    "advisor_id": advisor.id,
                    "opportunity_id": lead.id,
                    "start": start,
                    "stop": stop,
                    "partner_ids": [(4, partner.id)] if partner else [],
                    "location": partner._sales_one_line_address() if partner else False,
                    "description": lead.perceived_need,
                }
            )
        finally:
            _CAPACITY_OVERRIDE.reset(token)
        values = {}
        stage = self.env.ref(
            "sales_coordination.crm_stage_appointment", raise_if_not_found=False
        )
        if stage and lead.stage_id.sequence < stage.sequence:
            values["stage_id"] = stage.id
        if not lead.user_id:
            values["user_id"] = advisor.id
        if values:
            lead.write(values)
        return event

    # Checks shared by every path that creates or moves a sales appointment

    @api.model
    def _check_appointments(self, events):
        """Raise a ValidationError for the first of ``events`` (sales appointments)
        outside its advisor's working hours, on top of another appointment (travel
        included) or over capacity, in whichever company the advisor has it; then
        claim the advisor's week, so that two transactions booking the same
        advisor's week cannot both succeed, whatever their companies."""
        events = events.filtered(lambda e: e.is_sales_appointment and e.active)
        if not events:
            return
        # create() and write() checked it already; the agendas' sudo relies on it.
        self.env["calendar.event"]._check_sales_appointment_access(events.advisor_id)
        # Only book() sets it, once it checked that a manager books.
        override = _CAPACITY_OVERRIDE.get()
        start = min(events.mapped("start"))
        stop = max(events.mapped("stop"))
        agendas = self._agendas(events.advisor_id, start, stop)
        company = events.opportunity_id.company_id[:1] or self.env.company
        travel = self._travel_settings(company)
        overridden = self.env["calendar.event"]
        for event in events:
            agenda = agendas[event.advisor_id.id]
            reason = slots.check_slot(
                agenda,
                event.start,
                event.stop,
                self._place(event.opportunity_id.partner_id),
                travel,
                ignore_ids=set(events.ids),
            )
            if reason in (slots.DAILY_CAPACITY, slots.WEEKLY_CAPACITY) and override:
                overridden |= event
                reason = None
            if reason:
                raise ValidationError(self._refusal(reason, event))
            # Appointments booked in the same batch count for each other.
            agenda.appointments.append(
                slots.Appointment(
                    event.start,
                    event.stop,
                    self._place(event.opportunity_id.partner_id),
                    event.id,
                )
            )
        for event in overridden:
            body = self.env._(
                "%(manager)s booked this appointment over the capacity of %(advisor)s.",
                manager=self.env.user.name,
                advisor=event.advisor_id.name,
            )
            with side_effect(self.env, "The capacity override's chatter lines"):
                event.message_post(body=body)
                event.opportunity_id.message_post(body=body)
        self._claim_weeks(events)

    def _refusal(self, reason, event):
        advisor = event.advisor_id.name
        tz = ZoneInfo(self.env.user.tz or event.advisor_id.tz or "UTC")
        when = (
            event.start.replace(tzinfo=timezone.utc)
            .astimezone(tz)
            .strftime("%Y-%m-%d %H:%M")
        )
        return {
            slots.INVALID: self.env._("The appointment must end after it starts."),
            slots.OUTSIDE_HOURS: self.env._(
                "%(advisor)s does not work on %(when)s (working hours or time off): "
                "pick a time inside their working hours.",
                advisor=advisor,
                when=when,
            ),
            slots.OVERLAP: self.env._(
                "%(advisor)s is already busy around %(when)s, travel included: pick "
                "another time or another advisor.",
                advisor=advisor,
                when=when,
            ),
            slots.DAILY_CAPACITY: self.env._(
                "%(advisor)s already has %(count)s appointments that day, their "
                "daily capacity: pick another day (a manager may override).",
                advisor=advisor,
                count=event.advisor_id.daily_appointment_capacity,
            ),
            slots.WEEKLY_CAPACITY: self.env._(
                "%(advisor)s already has %(count)s appointments that week, their "
                "weekly capacity: pick another week (a manager may override).",
                advisor=advisor,
                count=event.advisor_id.weekly_appointment_capacity,
            ),
        }[reason]

    def _claim_weeks(self, events):
        """Write the (advisor, week) rows of ``events``: a second transaction
        booking the same advisor's week at the same time waits, then fails to
        serialize and is retried, and its retry sees this booking. A check that
        only reads would pass in both under REPEATABLE READ."""
        keys = {(event.advisor_id.id, self._week_start(event)) for event in events}
        self.env["sales.booking.lock"]._claim(sorted(keys))

    def _week_start(self, event):
        tz = ZoneInfo(event.advisor_id.tz or "UTC")
        local = event.start.replace(tzinfo=timezone.utc).astimezone(tz).date()
        return local - timedelta(days=local.weekday())

    # Reading the calendars

    def _as_lead(self, lead):
        lead = (
            lead
            if isinstance(lead, models.BaseModel)
            else self.env["crm.lead"].browse(lead)
        )
        lead.ensure_one()
        if not lead.exists():
            raise UserError(self.env._("This lead does not exist any more."))
        return lead

    def _bookable_advisors(self, lead, advisors=None):
        Users = self.env["res.users"]
        if advisors is not None:
            advisors = Users.browse(
                advisors.ids if isinstance(advisors, models.BaseModel) else advisors
            )
            return advisors.filtered("is_field_advisor")
        company = lead.company_id or self.env.company
        domain = [("is_field_advisor", "=", True), ("company_ids", "in", company.id)]
        if not self.env.user.has_group("sales_coordination.group_manager"):
            domain += [
                "|",
                ("coordinator_id", "=", self.env.uid),
                ("backup_coordinator_id", "=", self.env.uid),
            ]
        return Users.search(domain)

    @api.model
    def _agendas(self, advisors, date_from, date_to):
        """{advisor id: slots.AdvisorAgenda} from ``date_from`` to ``date_to`` (naive
        UTC): working intervals from their resource calendars (leaves removed), one
        batch per calendar; their events of the whole weeks around, in one search.

        An advisor working for several companies has one calendar, one home and
        one capacity: the callers first check that the current user may book
        ``advisors`` (_check_sales_appointment_access), then their working hours,
        time off and sales appointments are read whichever company holds them."""
        # sudo: the coordinator booking an advisor in one company may not read
        # the advisor's resource (their working hours) or appointments kept in
        # another, yet must not book them out of hours, on top of an appointment
        # or over capacity. Nothing of these is shown: the refusals name the
        # advisor and the time, never another appointment or its customer.
        advisors = advisors.sudo().with_prefetch()
        # Whole local weeks, for the weekly capacity (a day's margin for time zones).
        week_from = date_from - timedelta(days=date_from.weekday() + 1)
        week_to = date_to + timedelta(days=8 - date_to.weekday())
        agendas = {
            advisor.id: slots.AdvisorAgenda(
                advisor_id=advisor.id,
                working=[],
                daily_capacity=advisor.daily_appointment_capacity,
                weekly_capacity=advisor.weekly_appointment_capacity,
                tz=advisor.tz or "UTC",
                home=self._place(advisor.partner_id, home=True),
            )
            for advisor in advisors
        }
        resources = advisors.resource_ids.filtered(lambda r: r.user_id in advisors)
        start = date_from.replace(tzinfo=timezone.utc)
        stop = date_to.replace(tzinfo=timezone.utc)
        for calendar, calendar_resources in resources.grouped("calendar_id").items():
            if not calendar:
                continue
            intervals = calendar._work_intervals_batch(
                start, stop, resources=calendar_resources
            )
            for resource in calendar_resources:
                agenda = agendas[resource.user_id.id]
                agenda.tz = resource.tz or agenda.tz
                agenda.working.extend(
                    (_naive_utc(i_start), _naive_utc(i_stop))
                    for i_start, i_stop, _records in intervals[resource.id]
                )
        by_partner = {advisor.partner_id.id: advisor.id for advisor in advisors}
        Event = self.env["calendar.event"]
        in_weeks = [("start", "<", week_to), ("stop", ">", week_from)]
        # Two searches, each on an index: the advisors' sales appointments, then
        # the other busy events they attend (personal time, meetings).
        appointments = self._advisor_appointments(advisors, in_weeks)
        # sudo: as above; and a private event hides its attendees from anyone
        # else (Odoo's calendar), so the coordinator would not see that the
        # advisor is busy then. Only the times are used.
        others = Event.sudo().search_fetch(
            [
                ("partner_ids", "in", list(by_partner)),
                ("show_as", "=", "busy"),
                ("id", "not in", appointments.ids),
                *in_weeks,
            ],
            ["start", "stop", "allday", "partner_ids"],
        )
        appointments.opportunity_id.partner_id.fetch(
            ["partner_latitude", "partner_longitude", "zip"]
        )
        for event in appointments:
            agendas[event.advisor_id.id].appointments.append(
                slots.Appointment(
                    event.start,
                    event.stop,
                    self._place(event.opportunity_id.partner_id),
                    event.id,
                )
            )
        for event in others:
            span = (event.start, event.stop)
            if event.allday:
                day_start = datetime.combine(event.start.date(), time.min)
                span = (day_start, datetime.combine(event.stop.date(), time.max))
            for partner_id in event.partner_ids.ids:
                if partner_id in by_partner:
                    agendas[by_partner[partner_id]].busy.append(span)
        return agendas

    @api.model
    def _advisor_appointments(self, advisors, domain):
        """The sales appointments of ``advisors`` matching ``domain``, in every
        company they work for (as superuser: ids, times and places, for the
        checks and the travel; never shown as such)."""
        # sudo: see _agendas; the callers checked that the user books ``advisors``.
        return (
            self.env["calendar.event"]
            .sudo()
            .search_fetch(
                [
                    ("is_sales_appointment", "=", True),
                    ("advisor_id", "in", advisors.ids),
                    *domain,
                ],
                ["start", "stop", "advisor_id", "opportunity_id"],
            )
        )

    @api.model
    def _place(self, partner, home=False):
        if not partner:
            return None if home else Place()
        latitude, longitude = partner.partner_latitude, partner.partner_longitude
        if home and not (latitude or longitude or partner.zip):
            return None
        if latitude or longitude:
            return Place(latitude, longitude, partner.zip or None)
        return Place(postcode=partner.zip or None)

    @api.model
    def _travel_settings(self, company):
        return slots.TravelSettings(
            speed_kmh=company.sales_travel_speed or 40.0,
            stop_minutes=company.sales_stop_minutes,
        )

    @api.model
    def _preferred_windows(self, lead, date_from, date_to):
        """The lead's best day and part of day, as UTC windows over the range, in
        the coordinator's time zone."""
        if not (lead.reach_weekday or lead.reach_daypart):
            return []
        company = lead.company_id or self.env.company
        tz = ZoneInfo(self.env.user.tz or "UTC")
        hours = (
            company._sales_daypart_hours(lead.reach_daypart)
            if lead.reach_daypart
            else (0.0, 24.0)
        )
        windows = []
        day = date_from.date()
        while day <= date_to.date():
            if not lead.reach_weekday or day.weekday() == int(lead.reach_weekday):
                local = datetime.combine(day, time.min, tzinfo=tz)
                windows.append(
                    (
                        _naive_utc(local + timedelta(hours=hours[0])),
                        _naive_utc(local + timedelta(hours=hours[1])),
                    )
                )
            day += timedelta(days=1)
        return windows
