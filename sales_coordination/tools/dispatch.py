"""The dispatch board's grid, without the ORM.

A day of the board is a list of rows, one every ``step`` minutes of local time,
from the earliest hour any advisor shown works (or has a visit) to the latest;
each row says which part of the day (morning, afternoon, evening: the company's
dayparts) it falls in. An advisor's free slots are the rows where an appointment
of the company's length fits their agenda by the same check as a booking
(tools/slots.check_slot).

Local datetimes here are aware (the board's time zone); agendas hold naive UTC.
"""

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from .slots import check_slot

DAYPARTS = ("morning", "afternoon", "evening")

VISIT_STATUSES = ("confirmed", "awaiting", "declined", "no_show", "debriefed")


def visit_status(debrief_state, is_no_show, customer_response):
    """The one status the board shows for a visit: what happened to it last."""
    if debrief_state == "done":
        return "debriefed"
    if is_no_show:
        return "no_show"
    if customer_response == "declined":
        return "declined"
    if customer_response == "accepted":
        return "confirmed"
    return "awaiting"


def naive_utc(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def local(moment, zone):
    """The naive UTC ``moment`` in ``zone`` (aware)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone)


def day_span(day, zone):
    """(start, stop) in naive UTC of the local ``day`` in ``zone``."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    stop = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return naive_utc(start), naive_utc(stop)


def daypart_of(hour, bounds):
    """The part of the day ``hour`` (a float) falls in, by the company's
    ``bounds`` (morning from, afternoon from, evening from, evening until);
    empty outside them."""
    for name, start, stop in zip(DAYPARTS, bounds, bounds[1:], strict=False):
        if start <= hour < stop:
            return name
    return ""


def day_rows(day, zone, spans, bounds, step):
    """The local times (aware, in ``zone``) of the rows of ``day``: every ``step``
    from the first to the last of ``spans`` ([(start, stop)] naive UTC: the
    advisors' working hours and visits that day), clipped to the day; the
    company's dayparts (``bounds``, hours) when nothing is there."""
    midnight = datetime.combine(day, time.min, tzinfo=zone)
    day_start, day_stop = day_span(day, zone)
    kept = [
        (max(start, day_start), min(stop, day_stop))
        for start, stop in spans
        if start < day_stop and stop > day_start
    ]
    if kept:
        first = min(local(start, zone) for start, _stop in kept)
        last = max(local(stop, zone) for _start, stop in kept)
        first_minutes = (first - midnight).total_seconds() / 60
        last_minutes = (last - midnight).total_seconds() / 60
    else:
        first_minutes, last_minutes = bounds[0] * 60, bounds[-1] * 60
    step_minutes = step.total_seconds() / 60
    first_minutes = math.floor(first_minutes / step_minutes) * step_minutes
    last_minutes = math.ceil(last_minutes / step_minutes) * step_minutes
    rows = []
    minutes = first_minutes
    while minutes < last_minutes:
        # Added in UTC, so that a daylight-saving change shows as it happens.
        rows.append(
            local(
                naive_utc(midnight) + timedelta(minutes=minutes),
                zone,
            )
        )
        minutes += step_minutes
    return rows


@dataclass(frozen=True)
class StopsOnly:
    """Travel without the drive: the board does not know the customer yet, so a
    slot is free when the time is (the stop allowance kept); booking a lead
    checks the drive to its customer as well."""

    stop_minutes: float = 10.0
    # Nor the day's drive limit: without the customer's place the day's driving
    # is unknown; the booking checks it.
    day_drive_limit: float = 0.0

    def leg(self, a, b):
        return self.stop_minutes


def free_starts(agenda, starts, duration, travel, not_before=None):
    """Those of ``starts`` (naive UTC) where an appointment of ``duration`` fits
    ``agenda`` by the booking's check (``travel``: see StopsOnly); none before
    ``not_before``."""
    return [
        start
        for start in starts
        if (not_before is None or start >= not_before)
        and check_slot(agenda, start, start + duration, None, travel) is None
    ]


def working_starts(agenda, starts, step):
    """Those of ``starts`` (naive UTC) whose row lies in the advisor's working
    hours (leaves removed)."""
    return [
        start
        for start in starts
        if any(
            w_start <= start and start + step <= w_stop
            for w_start, w_stop in agenda.working
        )
    ]
