"""Slot search for sales appointments, without the ORM.

Given each advisor's working intervals (leaves already removed), their other busy
time, their sales appointments with where they are, their capacities, the
customer's place and preferred windows, return the feasible slots ranked:
least added travel first, then inside the customer's preferred windows, then the
advisor with the most free capacity that week, then the earliest.

Datetimes are naive UTC, as Odoo stores them; days and weeks are counted in each
advisor's time zone, so a day is a local day across daylight-saving changes.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .travel import ESTIMATE, ROAD, Place, RoadMatrix, travel_minutes, travel_source

OUTSIDE_HOURS = "outside_hours"
OVERLAP = "overlap"
DAILY_CAPACITY = "daily_capacity"
WEEKLY_CAPACITY = "weekly_capacity"
# The day's driving with it would be over the company's limit.
DAY_DRIVE = "day_drive"
INVALID = "invalid"


@dataclass(frozen=True)
class Appointment:
    start: datetime
    stop: datetime
    place: Place | None = None
    id: int | None = None


@dataclass(frozen=True)
class TravelSettings:
    speed_kmh: float = 40.0
    stop_minutes: float = 10.0
    # The road network's answer for the run (empty: every drive estimated).
    matrix: RoadMatrix = field(default_factory=RoadMatrix, compare=False, hash=False)
    # The most minutes of driving an advisor's day may have; 0: no limit.
    day_drive_limit: float = 0.0

    def drive(self, a, b):
        """Minutes of driving from one stop to the next."""
        return travel_minutes(a, b, self.speed_kmh, self.matrix)

    def leg(self, a, b):
        """Minutes from one stop to the next: the drive plus the stop allowance."""
        return self.drive(a, b) + self.stop_minutes

    def source(self, a, b):
        return travel_source(a, b, self.matrix)


DEFAULT_TRAVEL = TravelSettings()


@dataclass
class AdvisorAgenda:
    advisor_id: int
    working: list  # [(start, stop)] naive UTC, leaves removed
    appointments: list = field(default_factory=list)  # [Appointment]
    busy: list = field(default_factory=list)  # [(start, stop)] other events
    daily_capacity: int = 4
    weekly_capacity: int = 20
    tz: str = "UTC"
    home: Place | None = None

    def __post_init__(self):
        self._indexed = None

    def local_day(self, moment):
        zone = ZoneInfo(self.tz or "UTC")  # ZoneInfo keeps its own cache
        return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()

    def _index(self):
        # Appointments by local day and counts by ISO week, built once: the search
        # asks them for every candidate slot. Rebuilt when appointments are added
        # or the time zone changes.
        key = (len(self.appointments), self.tz)
        if self._indexed != key:
            days, weeks = {}, {}
            for appointment in sorted(self.appointments, key=lambda a: a.start):
                day = self.local_day(appointment.start)
                days.setdefault(day, []).append(appointment)
                week = day.isocalendar()[:2]
                weeks[week] = weeks.get(week, 0) + 1
            self._days, self._weeks = days, weeks
            self._indexed = key
        return self._days, self._weeks

    def day_appointments(self, day):
        return list(self._index()[0].get(day, ()))

    def count_day(self, day):
        return len(self._index()[0].get(day, ()))

    def count_week(self, day):
        return self._index()[1].get(day.isocalendar()[:2], 0)


@dataclass(frozen=True)
class Proposal:
    advisor_id: int
    start: datetime
    stop: datetime
    added_travel_minutes: float
    in_preferred_window: bool
    free_capacity: int
    score: float
    day: date
    day_appointments: tuple = ()
    drive_before_minutes: float = 0.0
    drive_after_minutes: float = 0.0
    day_drive_minutes: float = 0.0
    travel_source: str = ESTIMATE


def _overlaps(a_start, a_stop, b_start, b_stop):
    return a_start < b_stop and b_start < a_stop


def check_slot(agenda, start, stop, place, travel=DEFAULT_TRAVEL, ignore_ids=()):
    """Why ``agenda`` cannot take an appointment at ``place`` from ``start`` to
    ``stop`` (one of the reason constants), or None when it can."""
    if stop <= start:
        return INVALID
    if not any(
        w_start <= start and stop <= w_stop for w_start, w_stop in agenda.working
    ):
        return OUTSIDE_HOURS
    if any(_overlaps(start, stop, b_start, b_stop) for b_start, b_stop in agenda.busy):
        return OVERLAP
    day = agenda.local_day(start)

    def kept(appointments):
        return [a for a in appointments if a.id is None or a.id not in ignore_ids]

    same_day = kept(agenda.day_appointments(day))
    # An appointment may straddle midnight: look at the neighbouring days too.
    nearby = (
        kept(agenda.day_appointments(day - timedelta(days=1)))
        + same_day
        + kept(agenda.day_appointments(day + timedelta(days=1)))
    )
    if any(_overlaps(start, stop, a.start, a.stop) for a in nearby):
        return OVERLAP
    before = [a for a in same_day if a.stop <= start]
    after = [a for a in same_day if a.start >= stop]
    if (
        before
        and before[-1].stop + timedelta(minutes=travel.leg(before[-1].place, place))
        > start
    ):
        return OVERLAP
    if (
        after
        and stop + timedelta(minutes=travel.leg(place, after[0].place)) > after[0].start
    ):
        return OVERLAP
    if len(same_day) >= agenda.daily_capacity:
        return DAILY_CAPACITY
    ignored_in_week = (
        sum(
            1
            for a in agenda.appointments
            if a.id is not None
            and a.id in ignore_ids
            and agenda.local_day(a.start).isocalendar()[:2] == day.isocalendar()[:2]
        )
        if ignore_ids
        else 0
    )
    if agenda.count_week(day) - ignored_in_week >= agenda.weekly_capacity:
        return WEEKLY_CAPACITY
    if (
        travel.day_drive_limit
        and _day_drive_with(agenda, before, after, place, travel)
        > travel.day_drive_limit
    ):
        return DAY_DRIVE
    return None


def _day_drive_with(agenda, before, after, place, travel):
    """The day's driving, rounded as shown, with the appointment at ``place``
    between the appointments ``before`` and ``after``."""
    places = [a.place for a in before] + [place] + [a.place for a in after]
    return round(day_drive(agenda, places, travel), 1)


def day_drive_with(agenda, start, stop, place, travel=DEFAULT_TRAVEL, ignore_ids=()):
    """Minutes of driving (rounded) of the advisor's day with an appointment at
    ``place`` from ``start`` to ``stop``, the appointments ``ignore_ids`` left out."""
    same_day = [
        a
        for a in agenda.day_appointments(agenda.local_day(start))
        if a.id is None or a.id not in ignore_ids
    ]
    before = [a for a in same_day if a.stop <= start]
    after = [a for a in same_day if a.start >= stop]
    return _day_drive_with(agenda, before, after, place, travel)


def added_travel(agenda, start, place, travel=DEFAULT_TRAVEL):
    """Minutes of travel the appointment adds to the advisor's day: the route from
    their home through the day's appointments and back, with it and without. An
    unknown home is an unknown place: an empty day then costs a drive there and
    back, so that appointments cluster."""
    home = agenda.home or Place()
    day_stops = agenda.day_appointments(agenda.local_day(start))  # sorted
    before = [a.place for a in day_stops if a.start < start]
    after = [a.place for a in day_stops if a.start >= start]
    route = [home, *before, *after, home]
    with_it = [home, *before, place, *after, home]

    def length(stops):
        return sum(travel.leg(a, b) for a, b in zip(stops, stops[1:], strict=False))

    return length(with_it) - length(route)


@dataclass(frozen=True)
class Insertion:
    """What an appointment at ``place`` does to the advisor's day as a route."""

    drive_before: float  # from the previous visit, or from home
    drive_after: float  # to the next visit, or home
    day_drive: float  # the day's driving with it (legs to an unknown home left out)
    source: str  # ROAD when the legs it adds and removes are all the road's


def day_drive(agenda, places, travel=DEFAULT_TRAVEL):
    """Minutes of driving of a day visiting ``places`` in order, from the
    advisor's home and back when it is known."""
    return route_drive(agenda.home, places, travel)


def route_drive(home, places, travel=DEFAULT_TRAVEL):
    """``day_drive`` from ``home`` (None: unknown, its legs left out)."""
    stops = [home, *places, home] if home else list(places)
    return sum(travel.drive(a, b) for a, b in zip(stops, stops[1:], strict=False))


def insertion(agenda, start, place, travel=DEFAULT_TRAVEL):
    home = agenda.home or Place()
    day_stops = agenda.day_appointments(agenda.local_day(start))  # sorted
    before = [a.place for a in day_stops if a.start < start]
    after = [a.place for a in day_stops if a.start >= start]
    previous = before[-1] if before else home
    following = after[0] if after else home
    legs = [(previous, place), (place, following)]
    if before and after:
        legs.append((previous, following))
    road = all(travel.source(a, b) == ROAD for a, b in legs)
    return Insertion(
        drive_before=travel.drive(previous, place),
        drive_after=travel.drive(place, following),
        day_drive=day_drive(agenda, [*before, place, *after], travel),
        source=ROAD if road else ESTIMATE,
    )


def propose(
    agendas,
    place,
    duration,
    preferred=(),
    travel=DEFAULT_TRAVEL,
    step=timedelta(minutes=30),
    limit=10,
    not_before=None,
    per_day=1,
):
    """The feasible slots of ``duration`` for an appointment at ``place``, best
    first; at most ``per_day`` for each advisor and local day, ``limit`` in all."""
    candidates = []
    for agenda in agendas:
        for w_start, w_stop in agenda.working:
            start = w_start
            if not_before and start < not_before:
                start = w_start + step * -(-(not_before - w_start) // step)
            while start + duration <= w_stop:
                stop = start + duration
                # check_slot applies the day's drive limit, as for a booking.
                if check_slot(agenda, start, stop, place, travel) is None:
                    candidates.append(
                        _proposal(agenda, start, stop, place, preferred, travel)
                    )
                start += step
    candidates.sort(key=lambda p: (-p.score, p.start, p.advisor_id))
    kept, per_key = [], {}
    for proposal in candidates:
        key = (proposal.advisor_id, proposal.day)
        if per_key.get(key, 0) >= per_day:
            continue
        per_key[key] = per_key.get(key, 0) + 1
        kept.append(proposal)
        if len(kept) >= limit:
            break
    return kept


def _proposal(agenda, start, stop, place, preferred, travel):
    day = agenda.local_day(start)
    minutes = added_travel(agenda, start, place, travel)
    route = insertion(agenda, start, place, travel)
    in_window = any(
        p_start <= start and stop <= p_stop for p_start, p_stop in preferred
    )
    free = agenda.weekly_capacity - agenda.count_week(day)
    # Lexicographic: whole minutes of travel, then the window, then capacity.
    score = -(round(minutes) * 10_000 + (0 if in_window else 1_000) - min(free, 999))
    return Proposal(
        advisor_id=agenda.advisor_id,
        start=start,
        stop=stop,
        added_travel_minutes=round(minutes, 1),
        in_preferred_window=in_window,
        free_capacity=free,
        score=score,
        day=day,
        day_appointments=tuple(agenda.day_appointments(day)),
        drive_before_minutes=round(route.drive_before, 1),
        drive_after_minutes=round(route.drive_after, 1),
        day_drive_minutes=round(route.day_drive, 1),
        travel_source=route.source,
    )
