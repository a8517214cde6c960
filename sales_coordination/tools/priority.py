"""How urgent a follow-up call is: plain arithmetic, no ORM.

A follow-up's score has two parts:

- a missed call or a web form comes first of all;
- its kind sets a floor: a customer who asked to be called back (or who missed
  their appointment and must be rebooked) comes before an appointment to confirm,
  which comes before quote follow-ups and happy calls;
- within a kind, the expected value (value x probability) weighed by the lead's
  urgency, decayed by each day since the quote (each day lowers the chance to
  close), on a log scale so a large quote does not bury every other customer.

The value part stays below the gap between two kind floors, so the kind always
decides first.
"""

import math

# A customer who just called and missed us, or filled a web form: speed to lead.
INBOUND_FLOOR = 3000.0
KIND_FLOOR = {
    "callback": 2000.0,
    "reset": 2000.0,
    "confirmation": 1000.0,
    "quote": 0.0,
    "rehash": 0.0,
    "happy_call": 0.0,
}
URGENCY_WEIGHT = {"now": 4.0, "week": 3.0, "month": 2.0, "later": 1.0}
DEFAULT_URGENCY_WEIGHT = 1.5
VALUE_CAP = 999.0


def decayed_value(value, probability, days, decay_percent):
    """Expected value (``value`` x ``probability`` %) after ``days`` of decay at
    ``decay_percent`` a day; never negative."""
    expected = max(value, 0.0) * min(max(probability, 0.0), 100.0) / 100.0
    keep = (1.0 - decay_percent / 100.0) ** max(days, 0.0)
    return expected * keep


def priority_score(
    kind, value, probability, urgency, days, decay_percent, inbound=False
):
    """The score of a follow-up: higher is called first; a fresh inbound
    callback (missed call, web form) before anything else."""
    expected = decayed_value(value, probability, days, decay_percent)
    weight = URGENCY_WEIGHT.get(urgency, DEFAULT_URGENCY_WEIGHT)
    # log10 of 1 + 10,000,000 is 7: weight 4 x (1 + 7) x 25 = 800 stays under 1000.
    value_points = min(weight * (1.0 + math.log10(1.0 + expected)) * 25.0, VALUE_CAP)
    floor = INBOUND_FLOOR if inbound else KIND_FLOOR.get(kind, 0.0)
    return round(floor + value_points, 4)
