import contextvars
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_date

from odoo.addons.base.models.avatar_mixin import get_hsl_from_seed

from ..tools import dispatch, slots, travel
from ..tools.side_effect import side_effect
from ..tools.travel import Place

# Set by book() for a manager who books over capacity: a variable of the running
# code, not a key of Odoo's context, which any client may send with any write.
_CAPACITY_OVERRIDE = contextvars.ContextVar(
    "sales_coordination_capacity_override", default=False
)

# The dispatch board's rows: a visit starts on the half hour, as proposals do.
DISPATCH_STEP_MINUTES = 30


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
        in the other companies they work for); the day as a route:
        ``drive_before_minutes`` (from the previous visit or the advisor's home),
        ``drive_after_minutes`` (to the next visit or home), ``day_drive_minutes``
        (the day's driving with it), and ``travel_source``: ``road`` when these
        come from the company's routing server, ``estimate`` when not.

        With a routing server, the drives of the whole run come from one matrix
        request; a slot that would take the advisor's day over the company's drive
        limit is not proposed."""
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
        place = self._place(lead.partner_id)
        proposals = slots.propose(
            agendas.values(),
            place,
            duration,
            preferred=self._preferred_windows(lead, date_from, date_to),
            travel=self._travel_settings(
                company,
                self._route_places(agendas, date_from, date_to, place),
                day_limit=True,
            ),
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
                "drive_before_minutes": proposal.drive_before_minutes,
                "drive_after_minutes": proposal.drive_after_minutes,
                "day_drive_minutes": proposal.day_drive_minutes,
                "travel_source": proposal.travel_source,
            }
            for proposal in proposals
        ]

    @api.model
    def nearest_appointments(self, lead, limit=5, days=14):
        """The upcoming sales appointments (over ``days`` days) of the advisors the
        current user may book for ``lead``, nearest to its customer first: a list
        of dicts ``event_id``, ``advisor_id``, ``start``, ``stop`` (naive UTC),
        ``drive_minutes`` (from the customer to it), ``travel_source`` (``road``
        or ``estimate``), so that the coordinator can offer "someone is near you
        on Tuesday morning". The drives come from one matrix request."""
        lead = self._as_lead(lead)
        company = lead.company_id or self.env.company
        advisors = self._bookable_advisors(lead)
        if not advisors:
            return []
        now = fields.Datetime.now()
        # The user's own read rights: only appointments they may see are named.
        events = self.env["calendar.event"].search_fetch(
            [
                ("is_sales_appointment", "=", True),
                ("advisor_id", "in", advisors.ids),
                ("start", ">=", now),
                ("start", "<", now + timedelta(days=days)),
                ("opportunity_id", "!=", lead.id),
            ],
            ["start", "stop", "advisor_id", "opportunity_id"],
            order="start",
            limit=self._NEAREST_CANDIDATES,
        )
        if not events:
            return []
        events.opportunity_id.partner_id.fetch(
            ["partner_latitude", "partner_longitude", "zip"]
        )
        origin = self._place(lead.partner_id)
        places = {
            event.id: self._place(event.opportunity_id.partner_id) for event in events
        }
        settings = self._travel_settings(
            company, [origin, *places.values()], origins=[origin]
        )
        found = [
            {
                "event_id": event.id,
                "advisor_id": event.advisor_id.id,
                "start": event.start,
                "stop": event.stop,
                "drive_minutes": round(settings.drive(origin, places[event.id]), 1),
                "travel_source": settings.source(origin, places[event.id]),
            }
            for event in events
        ]
        found.sort(key=lambda line: (line["drive_minutes"], line["start"]))
        return found[:limit]

    # The most appointments nearest_appointments() measures the drive to.
    _NEAREST_CANDIDATES = 200

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

    @api.model
    def dispatch_board(self, date=None, scale="day", advisor_ids=None):
        """The dispatch board of the local ``date`` ("YYYY-MM-DD" in the user's
        time zone; default: today) for a coordinator or a manager: one column per
        field advisor they may book (only ``advisor_ids`` among them, if given),
        over that day (``scale`` "day": rows every half hour, the visits, the free
        slots a booking would accept) or its week (``scale`` "week": one cell per
        day). Returns a dict of plain values for the board's client action; times
        are naive UTC strings, labels in the user's time zone."""
        if scale not in ("day", "week"):
            raise UserError(self.env._("The dispatch board shows a day or a week."))
        user = self.env.user
        if not user.has_group("sales_coordination.group_coordinator"):
            raise AccessError(
                self.env._(
                    "The dispatch board is for coordinators and managers, who book "
                    "the advisors' visits: your own visits are in My Day."
                )
            )
        company = self.env.company
        zone = ZoneInfo(self.env.context.get("tz") or user.tz or "UTC")
        now = fields.Datetime.now()
        day = fields.Date.to_date(date) if date else dispatch.local(now, zone).date()
        days = (
            [day]
            if scale == "day"
            else [day - timedelta(days=day.weekday() - n) for n in range(7)]
        )
        span_from = dispatch.day_span(days[0], zone)[0]
        span_to = dispatch.day_span(days[-1], zone)[1]
        advisors = self._dispatch_advisors(company, advisor_ids)
        # The explicit check the agendas' sudo relies on (see _agendas).
        self.env["calendar.event"]._check_sales_appointment_access(advisors)
        agendas = self._agendas(advisors, span_from, span_to)
        visits = self._dispatch_visits(advisors, span_from, span_to)
        duration = timedelta(hours=company.sales_appointment_duration)
        step = timedelta(minutes=DISPATCH_STEP_MINUTES)
        bounds = company._sales_daypart_bounds()
        rows = []
        if scale == "day":
            spans = [w for agenda in agendas.values() for w in agenda.working]
            spans += [(visit["_start"], visit["_stop"]) for visit in visits]
            rows = dispatch.day_rows(day, zone, spans, bounds, step)
        row_starts = [dispatch.naive_utc(row) for row in rows]
        visits_by_advisor = {}
        for visit in visits:
            visits_by_advisor.setdefault(visit["advisor_id"], []).append(visit)
        grid = {
            "zone": zone,
            "now": now,
            "duration": duration,
            "step": step,
            "travel": dispatch.StopsOnly(company.sales_stop_minutes),
            "by_row": scale == "day",
            "row_starts": row_starts,
        }
        columns = []
        for advisor in advisors:
            agenda = agendas[advisor.id]
            week_count = agenda.count_week(day)
            advisor_visits = visits_by_advisor.get(advisor.id, [])
            columns.append(
                {
                    "advisor_id": advisor.id,
                    "name": advisor.name,
                    "color": self._dispatch_color(advisor),
                    "daily_capacity": agenda.daily_capacity,
                    "weekly_capacity": agenda.weekly_capacity,
                    "week_count": week_count,
                    "week_left": max(0, agenda.weekly_capacity - week_count),
                    "days": [
                        self._dispatch_cell(agenda, each_day, advisor_visits, grid)
                        for each_day in days
                    ],
                }
            )
        hour_labels = {
            "morning": self.env._("Morning"),
            "afternoon": self.env._("Afternoon"),
            "evening": self.env._("Evening"),
        }
        return {
            "date": fields.Date.to_string(day),
            "scale": scale,
            "today": fields.Date.to_string(dispatch.local(now, zone).date()),
            "previous": fields.Date.to_string(day - timedelta(days=len(days))),
            "next": fields.Date.to_string(day + timedelta(days=len(days))),
            "title": self._dispatch_title(days),
            "days": [
                {
                    "date": fields.Date.to_string(each_day),
                    "label": format_date(self.env, each_day, date_format="EEE d MMM"),
                }
                for each_day in days
            ],
            "rows": [
                {
                    "start": fields.Datetime.to_string(start),
                    "label": row.strftime("%H:%M"),
                    "daypart": hour_labels.get(
                        dispatch.daypart_of(row.hour + row.minute / 60, bounds), ""
                    ),
                }
                for row, start in zip(rows, row_starts, strict=True)
            ],
            "duration": company.sales_appointment_duration,
            "company_id": company.id,
            "columns": columns,
            "statuses": self._dispatch_status_labels(),
        }

    def _dispatch_cell(self, agenda, day, advisor_visits, grid):
        """An advisor's cell of the board for the local ``day``: their visits,
        the day's count and what is left; on a day's board (``grid["by_row"]``)
        the rows of each visit, the free slots and the working rows, on a week's
        whether they work that day and how many slots are free."""
        zone, step = grid["zone"], grid["step"]
        day_from, day_to = dispatch.day_span(day, zone)
        day_visits = [v for v in advisor_visits if day_from <= v["_start"] < day_to]
        count = agenda.count_day(day)
        cell = {
            "date": fields.Date.to_string(day),
            "count": count,
            "left": max(0, agenda.daily_capacity - count),
            "visits": [self._dispatch_visit_values(v, zone) for v in day_visits],
        }
        row_starts = grid["row_starts"]
        if not grid["by_row"]:
            starts = []
            moment = day_from
            while moment < day_to:
                starts.append(moment)
                moment += step
            cell["working"] = bool(dispatch.working_starts(agenda, starts, step))
            cell["free_count"] = len(
                dispatch.free_starts(
                    agenda, starts, grid["duration"], grid["travel"], grid["now"]
                )
            )
            return cell
        row_index = {start: index for index, start in enumerate(row_starts)}
        free = dispatch.free_starts(
            agenda, row_starts, grid["duration"], grid["travel"], grid["now"]
        )
        cell["free"] = [
            {
                "row": row_index[start],
                "start": fields.Datetime.to_string(start),
                "stop": fields.Datetime.to_string(start + grid["duration"]),
            }
            for start in free
        ]
        cell["working_rows"] = [
            row_index[start]
            for start in dispatch.working_starts(agenda, row_starts, step)
        ]
        for values, visit in zip(cell["visits"], day_visits, strict=True):
            values.update(self._dispatch_visit_rows(visit, row_starts))
        return cell

    def _dispatch_advisors(self, company, advisor_ids=None):
        """The field advisors of ``company`` the current user books: theirs (as
        coordinator or backup), or all of them for a manager."""
        domain = [("is_field_advisor", "=", True), ("company_ids", "in", company.id)]
        if not self.env.user.has_group("sales_coordination.group_manager"):
            domain += [
                "|",
                ("coordinator_id", "=", self.env.uid),
                ("backup_coordinator_id", "=", self.env.uid),
            ]
        if advisor_ids:
            domain.append(("id", "in", list(advisor_ids)))
        return self.env["res.users"].search_fetch(
            domain,
            [
                "name",
                "partner_id",
                "daily_appointment_capacity",
                "weekly_appointment_capacity",
            ],
            order="name, id",
        )

    def _dispatch_visits(self, advisors, date_from, date_to):
        """The sales appointments of ``advisors`` between ``date_from`` and
        ``date_to`` that the current user may read, as dicts, in three queries
        whatever their number."""
        events = self.env["calendar.event"].search_fetch(
            [
                ("is_sales_appointment", "=", True),
                ("advisor_id", "in", advisors.ids),
                ("start", "<", date_to),
                ("stop", ">", date_from),
            ],
            [
                "name",
                "start",
                "stop",
                "advisor_id",
                "opportunity_id",
                "sales_customer_id",
                "customer_response",
                "is_no_show",
                "debrief_state",
            ],
            order="start, id",
        )
        leads = events.opportunity_id._filtered_access("read")
        leads.fetch(["name", "contact_name", "city", "partner_id"])
        partners = events.sales_customer_id | leads.partner_id
        partners.fetch(["name", "city"])
        visits = []
        for event in events:
            lead = event.opportunity_id if event.opportunity_id in leads else None
            partner = event.sales_customer_id or (lead and lead.partner_id)
            visits.append(
                {
                    "id": event.id,
                    "advisor_id": event.advisor_id.id,
                    "name": event.name,
                    "customer": (partner and partner.name)
                    or (lead and (lead.contact_name or lead.name))
                    or event.name,
                    "town": (partner and partner.city) or (lead and lead.city) or "",
                    "lead_id": lead.id if lead else False,
                    "status": dispatch.visit_status(
                        event.debrief_state, event.is_no_show, event.customer_response
                    ),
                    "_start": event.start,
                    "_stop": event.stop,
                }
            )
        return visits

    def _dispatch_visit_values(self, visit, zone):
        values = {key: value for key, value in visit.items() if key[0] != "_"}
        values.update(
            {
                "start": fields.Datetime.to_string(visit["_start"]),
                "stop": fields.Datetime.to_string(visit["_stop"]),
                "time": "{}-{}".format(
                    dispatch.local(visit["_start"], zone).strftime("%H:%M"),
                    dispatch.local(visit["_stop"], zone).strftime("%H:%M"),
                ),
            }
        )
        return values

    def _dispatch_visit_rows(self, visit, row_starts):
        """The first row and the number of rows ``visit`` covers on the day."""
        first = sum(1 for start in row_starts if start <= visit["_start"]) - 1
        last = sum(1 for start in row_starts if start < visit["_stop"]) - 1
        first = max(first, 0)
        return {"row": first, "span": max(last - first + 1, 1)}

    def _dispatch_color(self, advisor):
        """The colour of the advisor's avatar (Odoo draws the initial on it)."""
        partner = advisor.partner_id
        seed = partner.name or ""
        if partner.create_date:
            seed += str(partner.create_date.timestamp())
        return get_hsl_from_seed(seed)

    def _dispatch_title(self, days):
        if len(days) == 1:
            return format_date(self.env, days[0], date_format="EEEE d MMMM y")
        return self.env._(
            "%(first)s to %(last)s",
            first=format_date(self.env, days[0], date_format="EEE d MMM"),
            last=format_date(self.env, days[-1], date_format="EEE d MMM y"),
        )

    def _dispatch_status_labels(self):
        return {
            "confirmed": self.env._("Confirmed"),
            "awaiting": self.env._("Awaiting Answer"),
            "declined": self.env._("Declined"),
            "no_show": self.env._("No-show"),
            "debriefed": self.env._("Debriefed"),
        }

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
        # The drives and the day's drive limit the proposals were checked with:
        # the road's when the company has a routing server, so that a proposed
        # slot can be booked and a slot never proposed cannot be booked by hand.
        travel = self._travel_settings(
            company,
            self._route_places(
                agendas,
                start,
                stop,
                *(self._place(p) for p in events.opportunity_id.partner_id),
            ),
            day_limit=True,
        )
        overridden = {}
        for event in events:
            agenda = agendas[event.advisor_id.id]
            # The agendas were read after the batch was written: each event is
            # checked against everything else, the other events of the same
            # create() or write() included (two visits of one advisor at the
            # same hour in one call are refused as two calls would be).
            reason = slots.check_slot(
                agenda,
                event.start,
                event.stop,
                self._place(event.opportunity_id.partner_id),
                travel,
                ignore_ids={event.id},
            )
            if reason in self._OVERRIDABLE and override:
                overridden[event] = reason
                reason = None
            if reason:
                raise ValidationError(
                    self._refusal(reason, event, agenda, travel, {event.id})
                )
        for event, reason in overridden.items():
            if reason == slots.DAY_DRIVE:
                body = self.env._(
                    "%(manager)s booked this appointment over the company's limit of "
                    "driving a day for %(advisor)s.",
                    manager=self.env.user.name,
                    advisor=event.advisor_id.name,
                )
            else:
                body = self.env._(
                    "%(manager)s booked this appointment over the capacity of "
                    "%(advisor)s.",
                    manager=self.env.user.name,
                    advisor=event.advisor_id.name,
                )
            with side_effect(self.env, "The capacity override's chatter lines"):
                event.message_post(body=body)
                event.opportunity_id.message_post(body=body)
        self._claim_weeks(events)

    # What a manager's explicit override (book(override_capacity=True)) lets
    # through: the limits of the advisor's day and week, never a clash.
    _OVERRIDABLE = (slots.DAILY_CAPACITY, slots.WEEKLY_CAPACITY, slots.DAY_DRIVE)

    def _refusal(self, reason, event, agenda=None, travel=None, ignore_ids=()):
        advisor = event.advisor_id.name
        if reason == slots.DAY_DRIVE:
            minutes = slots.day_drive_with(
                agenda,
                event.start,
                event.stop,
                self._place(event.opportunity_id.partner_id),
                travel,
                ignore_ids,
            )
            return self.env._(
                "With this appointment %(advisor)s would drive %(minutes)s minutes "
                "on %(day)s, over the company's limit of %(limit)s minutes a day: "
                "pick another day or another advisor (a manager may override).",
                advisor=advisor,
                minutes=round(minutes),
                day=format_date(
                    self.env, agenda.local_day(event.start), date_format="EEEE d MMMM y"
                ),
                limit=travel.day_drive_limit,
            )
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
    def _travel_settings(
        self, company, places=(), origins=None, day_limit=False, groups=None
    ):
        """How the run measures drives: with a routing server, the road network's
        minutes between ``places`` (one request; ``origins``: only from these),
        or within each of ``groups`` (lists of places: one request each), else,
        and for any pair it cannot route, the estimate."""
        url = company.sales_routing_url
        if not url:
            matrix = travel.RoadMatrix()
        elif groups is None:
            matrix = travel.road_matrix(url, places, origins=origins)
        else:
            matrix = travel.RoadMatrix()
            for group in groups:
                part = travel.road_matrix(url, group)
                matrix.cells.update(part.cells)
                matrix.requests += part.requests
                matrix.error = matrix.error or part.error
        return slots.TravelSettings(
            speed_kmh=company.sales_travel_speed or 40.0,
            stop_minutes=company.sales_stop_minutes,
            matrix=matrix,
            day_drive_limit=company.sales_max_day_drive_minutes if day_limit else 0,
        )

    @api.model
    def _day_routes(self, events):
        """{event id: (drive from the previous visit or home, the day's driving,
        source)} for sales appointments ``events``: each advisor's day as a route
        through the visits of that day the current user may read, from home and
        back when the home is known. The drives come from one matrix request per
        group of days (_route_groups: one for a few days)."""
        if not events:
            return {}
        # The user's own rights: a day is routed through the visits they see.
        days = self.env["calendar.event"].search_fetch(
            [
                ("is_sales_appointment", "=", True),
                ("advisor_id", "in", events.advisor_id.ids),
                ("start", "<", max(events.mapped("stop")) + timedelta(days=1)),
                ("stop", ">", min(events.mapped("start")) - timedelta(days=1)),
            ],
            ["start", "stop", "advisor_id", "opportunity_id"],
            order="start",
        )
        days |= events
        advisors = events.advisor_id
        homes = {
            advisor.id: self._place(advisor.partner_id, home=True)
            for advisor in advisors
        }
        # sudo: the coordinates only, of visits the user may read (the search
        # above, or the records asked about); the visit's address is on the
        # event already, while its lead may be outside the user's read rights.
        places = {
            event.id: self._place(event.opportunity_id.partner_id)
            for event in days.sudo()
        }
        wanted = {(event.advisor_id.id, self._local_day(event)) for event in events}
        by_day = {}
        for event in days.sorted("start"):
            key = (event.advisor_id.id, self._local_day(event))
            if key in wanted:
                by_day.setdefault(key, []).append(event)
        settings = self._travel_settings(
            events.sales_company_id[:1] or self.env.company,
            groups=self._route_groups(by_day, homes, places),
        )
        routes = {}
        for (advisor_id, _day), visits in by_day.items():
            home = homes.get(advisor_id)
            stops = [places[v.id] for v in visits]
            total = round(slots.route_drive(home, stops, settings), 1)
            for index, visit in enumerate(visits):
                previous = stops[index - 1] if index else home
                if previous is None:
                    routes[visit.id] = (0.0, total, False)
                    continue
                routes[visit.id] = (
                    round(settings.drive(previous, stops[index]), 1),
                    total,
                    settings.source(previous, stops[index]),
                )
        return routes

    # A day's route needs only its own pairs: the days are asked in groups of
    # about this many places (a request each), not as one matrix of every place
    # of every day, whose pairs grow as their square (1,000 places: 7 s).
    _ROUTE_GROUP_PLACES = 60

    def _route_groups(self, by_day, homes, places):
        """The places of the days ``by_day`` ({(advisor, day): visits}), each day
        whole in one group, the days grouped up to _ROUTE_GROUP_PLACES places."""
        groups, current = [], []
        for (advisor_id, _day), visits in by_day.items():
            day = [homes.get(advisor_id), *(places[v.id] for v in visits)]
            day = [place for place in day if place is not None]
            if current and len(current) + len(day) > self._ROUTE_GROUP_PLACES:
                groups.append(current)
                current = []
            current.extend(day)
        if current:
            groups.append(current)
        return groups

    def _local_day(self, event):
        tz = ZoneInfo(event.advisor_id.tz or "UTC")
        return event.start.replace(tzinfo=timezone.utc).astimezone(tz).date()

    @api.model
    def _route_places(self, agendas, date_from, date_to, *places):
        """Every place whose drives a run from ``date_from`` to ``date_to`` may
        measure: ``places``, the advisors' homes, their visits those days (a day's
        margin either side for time zones)."""
        low, high = date_from - timedelta(days=1), date_to + timedelta(days=1)
        found = list(places)
        for agenda in agendas.values():
            found.append(agenda.home)
            found.extend(a.place for a in agenda.appointments if low <= a.start <= high)
        return [place for place in found if place is not None]

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
