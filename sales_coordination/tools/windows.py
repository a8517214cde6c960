"""A call window as agreed with the customer: plain functions, no ORM.

Seed 003: a follow-up is agreed as "Monday after 5 or perhaps Tuesday morning",
never an exact time. A window is shown as the day and the parts of the day it
covers, in the coordinator's time zone ("Tue 1 Dec, morning"), with a time only
where it starts or ends inside a part of the day ("Mon 7 Dec after 17:30 or
Tue 8 Dec morning").
"""

from datetime import datetime, time, timedelta

DAYPARTS = ("morning", "afternoon", "evening")


def _hour(moment):
    return moment.hour + moment.minute / 60 + moment.second / 3600


def _day_phrase(day, start_h, end_h, bounds, words):
    """The parts of ``day`` between the hours ``start_h`` and ``end_h`` (hours
    of the day, ``end_h`` up to 24): "morning", "morning or afternoon", "all
    day", "after 10:30", "before 15:00"."""
    parts = [
        name
        for index, name in enumerate(DAYPARTS)
        if start_h < bounds[index + 1] and end_h > bounds[index]
    ]
    if not parts:
        return words["between"](start_h, end_h)
    first, last = DAYPARTS.index(parts[0]), DAYPARTS.index(parts[-1])
    # Where the window starts or ends inside a part, the time says it; where it
    # starts or ends outside the parts (before the morning, after the evening)
    # or on their bounds, the parts alone say it.
    starts_inside = bounds[first] < start_h < bounds[first + 1]
    ends_inside = bounds[last] < end_h < bounds[last + 1]
    if starts_inside and ends_inside:
        return words["between"](start_h, end_h)
    if starts_inside:
        return words["after"](start_h)
    if ends_inside:
        return words["before"](end_h)
    if len(parts) == len(DAYPARTS):
        return words["all day"]
    return words["or"]([words[name] for name in parts])


def describe_window(start, end, bounds, words, day_label):
    """``start`` to ``end`` (naive local datetimes, ``end`` after ``start``) as
    agreed: the day, then its parts.

    ``bounds``: the hours the parts of the day start and the evening ends
    (morning, afternoon, evening, end: e.g. 8, 12, 17, 20). ``words``: the
    phrases, translated by the caller: ``morning``, ``afternoon``, ``evening``,
    ``all day`` (strings) and ``or`` (a list of phrases joined), ``after``,
    ``before`` (an hour), ``between`` (two hours), ``day`` (a day label and its
    phrase), ``to`` (two day labels). ``day_label``: a date as "Tue 1 Dec"."""
    days = []
    day = start.date()
    while datetime.combine(day, time.min) < end:
        next_day = datetime.combine(day + timedelta(days=1), time.min)
        from_h = _hour(start) if day == start.date() else 0.0
        to_h = 24.0 if end >= next_day else _hour(end)
        # A day the window only touches at night does not count.
        if to_h > bounds[0] and from_h < bounds[-1]:
            days.append((day, from_h, to_h))
        day += timedelta(days=1)
    if not days:
        # All of it at night: when it starts.
        if end.date() == start.date():
            return words["day"](
                day_label(start.date()), words["between"](_hour(start), _hour(end))
            )
        return words["day"](day_label(start.date()), words["after"](_hour(start)))
    if len(days) > 2:
        return words["to"](day_label(days[0][0]), day_label(days[-1][0]))
    return words["or"](
        [
            words["day"](day_label(day), _day_phrase(day, from_h, to_h, bounds, words))
            for day, from_h, to_h in days
        ]
    )


def hour_label(hour):
    """An hour of the day as 17:00 or 10:30."""
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
