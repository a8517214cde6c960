"""How urgent a follow-up call is: plain arithmetic, no ORM.

A follow-up's score has two parts:

- its tier: a missed call or a web form comes first of all; then a customer who
  asked to be called back (or who missed their appointment and must be rebooked);
  then an appointment to confirm; then quote follow-ups and happy calls;
- within a tier, the value points: the expected value (value x probability)
  weighed by the lead's urgency, on a log scale so a large quote does not bury
  every other customer, less the points each day since the quote costs (each day
  lowers the chance to close by the company's daily decay).

The value points stay below the gap between two tiers, so the tier always decides
first.

Each rule is written here twice, side by side: in Python for one call (the
ORM's computed fields) and as SQL over columns (``*_sql``, for the upkeep and
the bulk fills), from the same constants; tests/test_priority_sql.py holds them
to the same figures.

The queue is ordered without rewriting a row as the days go by: a day costs the
same points to every call of a company (whatever its value or urgency), so the
order of a company's calls never changes with time, and one number fixed when the
call is queued sorts them for good: the day its value points run out
(``ordering_key``). The score of any day follows from it (``score_on``).
"""

import math
from datetime import datetime

from odoo.tools import SQL

TIER_POINTS = 1000.0
# A customer who just called and missed us, or filled a web form: speed to lead.
INBOUND_TIER = 3
KIND_TIER = {
    "callback": 2,
    "reset": 2,
    "confirmation": 1,
    "quote": 0,
    "rehash": 0,
    "happy_call": 0,
}
URGENCY_WEIGHT = {"now": 4.0, "week": 3.0, "month": 2.0, "later": 1.0}
DEFAULT_URGENCY_WEIGHT = 1.5
VALUE_CAP = 999.0
# Points per tenfold of expected value, before the urgency's weight.
POINTS_PER_DECADE = 25.0
# A company without decay still orders by value: its calls' points run out so
# slowly that no day ever changes their order.
MIN_DAILY_POINTS = 1e-6
SECONDS_PER_DAY = 86400.0
EPOCH = datetime(1970, 1, 1)


def tier(kind, inbound=False):
    """The tier of a call: higher is called first, whatever the value."""
    return INBOUND_TIER if inbound else KIND_TIER.get(kind, 0)


def tier_sql(kind, inbound):
    """``tier`` in SQL, of the SQL expressions ``kind`` and ``inbound``."""
    cases = SQL(" ").join(
        SQL("WHEN %s THEN %s", name, points) for name, points in KIND_TIER.items()
    )
    return SQL(
        "CASE WHEN %(inbound)s THEN %(inbound_tier)s"
        " ELSE CASE %(kind)s %(cases)s ELSE 0 END END",
        inbound=inbound,
        inbound_tier=INBOUND_TIER,
        kind=kind,
        cases=cases,
    )


def base_points(value, probability, urgency):
    """The value points on the day of the quote: expected value (``value`` x
    ``probability`` %) on a log scale, weighed by urgency; in [0, VALUE_CAP]."""
    expected = max(value or 0.0, 0.0) * min(max(probability or 0.0, 0.0), 100.0) / 100
    weight = URGENCY_WEIGHT.get(urgency, DEFAULT_URGENCY_WEIGHT)
    # log10 of 1 + 10,000,000 is 7: weight 4 x (1 + 7) x 25 = 800 stays under 1000.
    points = weight * (1.0 + math.log10(1.0 + expected)) * POINTS_PER_DECADE
    return min(points, VALUE_CAP)


def base_points_sql(value, probability, urgency):
    """``base_points`` in SQL, of the SQL expressions ``value``, ``probability``
    and ``urgency``."""
    weights = SQL(" ").join(
        SQL("WHEN %s THEN %s", name, weight) for name, weight in URGENCY_WEIGHT.items()
    )
    return SQL(
        """LEAST(
               COALESCE(CASE %(urgency)s %(weights)s END, %(default_weight)s)
               * (1 + LOG(1 + GREATEST(COALESCE(%(value)s, 0), 0)::float8
                      * LEAST(GREATEST(COALESCE(%(probability)s, 0), 0), 100) / 100))
               * %(decade)s,
               %(cap)s)""",
        urgency=urgency,
        weights=weights,
        default_weight=DEFAULT_URGENCY_WEIGHT,
        value=value,
        probability=probability,
        decade=POINTS_PER_DECADE,
        cap=VALUE_CAP,
    )


def daily_points(decay_percent):
    """The points a day since the quote costs, when each day lowers the chance to
    close by ``decay_percent`` % (a tenfold drop costs ``POINTS_PER_DECADE``)."""
    keep = 1.0 - min(max(decay_percent or 0.0, 0.0), 99.999) / 100.0
    return max(-math.log10(keep) * POINTS_PER_DECADE, MIN_DAILY_POINTS)


def day_number(moment):
    """``moment`` (a naive UTC datetime, as Odoo stores them) as days since
    1970-01-01, fractional."""
    return (moment - EPOCH).total_seconds() / SECONDS_PER_DAY


def day_number_sql(moment):
    """``day_number`` in SQL, of the SQL expression ``moment`` (a timestamp
    without time zone, in UTC, as Odoo stores them)."""
    return SQL("EXTRACT(EPOCH FROM %s) / %s", moment, SECONDS_PER_DAY)


def quote_moment(quote_date, create_date, now):
    """The moment a follow-up's value points start to run out: its quote date;
    its creation without one (so that the key stays put when the lead changes
    days later); now before it is written. ``quote_day_sql`` in SQL."""
    return quote_date or create_date or now


def quote_day_sql(alias):
    """``day_number`` of ``quote_moment`` of the follow-up ``alias`` (an SQL
    identifier of sales_followup), in SQL."""
    return day_number_sql(
        SQL(
            "COALESCE(%(alias)s.quote_date, %(alias)s.create_date,"
            " NOW() AT TIME ZONE 'UTC')",
            alias=alias,
        )
    )


def ordering_key(base, quote_day, rate):
    """The day (``day_number``) the value points run out: the later, the sooner
    the call within its tier. Sorting a company's calls by it is sorting them by
    their score of any day."""
    return quote_day + base / rate


def ordering_key_sql(base, quote_day, rate):
    """``ordering_key`` in SQL, of SQL expressions."""
    return SQL("(%s + %s / %s)", quote_day, base, rate)


def score_on(call_tier, key, rate, day):
    """The score on ``day`` (``day_number``) of a call of ``call_tier`` whose points
    run out on ``key`` at ``rate`` points a day."""
    value = min(max(rate * (key - day), 0.0), VALUE_CAP)
    return round(call_tier * TIER_POINTS + value, 4)


def score_on_sql(call_tier, key, rate, day):
    """``score_on`` in SQL, of SQL expressions."""
    return SQL(
        """ROUND((%(tier)s * %(tier_points)s + LEAST(GREATEST(
               %(rate)s * (%(key)s - %(day)s), 0), %(cap)s))::numeric, 4)""",
        tier=call_tier,
        tier_points=TIER_POINTS,
        rate=rate,
        key=key,
        day=day,
        cap=VALUE_CAP,
    )


def priority_score(
    kind, value, probability, urgency, days, decay_percent, inbound=False
):
    """The score of a follow-up ``days`` after its quote: higher is called first;
    a fresh inbound callback (missed call, web form) before anything else."""
    rate = daily_points(decay_percent)
    key = ordering_key(base_points(value, probability, urgency), 0.0, rate)
    return score_on(tier(kind, inbound), key, rate, days)
