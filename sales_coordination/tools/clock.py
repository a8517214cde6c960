"""A person's own day, week and month, in SQL: the board and the reports count
a coordinator's calls and bookings by the coordinator's day, and an advisor's
visits by the advisor's week, in that person's time zone (their preferences;
UTC without one), as the booking's capacity check counts an advisor's week
(tools/slots.py) and as Odoo groups a datetime by day in the reader's time
zone. Weeks start on Monday. Odoo stores every moment in UTC, without a time
zone; PostgreSQL knows the time zones Odoo offers (it converts with them in
its own groupings).

``tests/test_clock.py`` holds each one to the same answer as Python's
``zoneinfo``, around the changes of the clocks."""

from odoo.tools import SQL

# The furthest any time zone is from UTC (Kiribati, UTC+14; the furthest west
# is UTC-12): a bound that holds for every time zone at once, which an index
# can use where a bound per person cannot.
FURTHEST = SQL("interval '14 hours'")


def user_tz_sql(partner):
    """The time zone of the user whose partner is ``partner`` (an SQL alias of
    res_partner)."""
    return SQL("COALESCE(NULLIF(%s.tz, ''), 'UTC')", partner)


def local_sql(moment, tz):
    """The wall-clock time in ``tz`` at ``moment`` (a UTC timestamp)."""
    return SQL("((%s AT TIME ZONE 'UTC') AT TIME ZONE %s)", moment, tz)


def local_date_sql(moment, tz):
    """The day in ``tz`` at ``moment`` (a UTC timestamp)."""
    return SQL("(%s)::date", local_sql(moment, tz))


def start_sql(unit, moment, tz, later=None):
    """The UTC moment the ``unit`` ('day', 'week' or 'month') holding ``moment``
    began in ``tz``; with ``later`` (an SQL interval), that many units of wall
    clock later or earlier first (``interval '-1 day'``: yesterday's start,
    ``interval '7 days'`` from a week: the next week's), which keeps a day to
    its midnight across a change of the clocks."""
    local = SQL("date_trunc(%s, %s)", unit, local_sql(moment, tz))
    if later is not None:
        local = SQL("(%s + %s)", local, later)
    return SQL("((%s AT TIME ZONE %s) AT TIME ZONE 'UTC')", local, tz)


def earliest_start_sql(unit, moment, earlier=None):
    """A UTC moment at or before ``start_sql(unit, moment, tz, earlier)`` in
    every time zone: the constant bound that lets PostgreSQL read only the
    rows near ``moment`` from an index, beside each person's own bound."""
    shifted = SQL("(%s - %s)", moment, FURTHEST)
    local = SQL("date_trunc(%s, %s)", unit, shifted)
    if earlier is not None:
        local = SQL("(%s + %s)", local, earlier)
    return SQL("(%s - %s)", local, FURTHEST)


def latest_end_sql(unit, moment, length):
    """A UTC moment at or after ``start_sql(unit, moment, tz, length)`` in
    every time zone: the constant upper bound to match
    ``earliest_start_sql``."""
    shifted = SQL("(%s + %s)", moment, FURTHEST)
    return SQL("(date_trunc(%s, %s) + %s + %s)", unit, shifted, length, FURTHEST)
