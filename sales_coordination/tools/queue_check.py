"""The queue's rules, checked over the table in SQL: for follow-ups written around
the queue's own methods (the benchmark generator's rows, the tests' SQL), which
nothing else holds to them. Production never calls it."""

from odoo.tools import SQL

from ..models.sales_followup import OPEN_STATES as OPEN
from ..models.sales_followup import queue_coordinator_sql

CHECKS = {
    "confirmation without its visit": SQL(
        "f.state IN %s AND f.kind = 'confirmation' AND f.event_id IS NULL", OPEN
    ),
    "open call without a priority": SQL(
        "f.state IN %s AND (f.priority_tier IS NULL OR f.priority_key IS NULL "
        "OR f.priority_rate IS NULL OR f.priority_rate <= 0)",
        OPEN,
    ),
    "queue owner other than the advisor's or the lead's coordinator": SQL(
        "f.state IN %s AND f.queue_coordinator_id IS DISTINCT FROM %s",
        OPEN,
        queue_coordinator_sql(SQL.identifier("f")),
    ),
    "claimed without a claimant and a lease": SQL(
        """f.state = 'claimed'
           AND (f.claimed_by_id IS NULL OR f.claim_expires_at IS NULL)"""
    ),
    "queued with a lease": SQL("f.state = 'queued' AND f.claim_expires_at IS NOT NULL"),
}


def queue_problems(cr):
    """What breaks the queue's rules in the database, as ``{problem: count}``
    (empty when all holds)."""
    problems = {}
    for problem, condition in CHECKS.items():
        cr.execute(SQL("SELECT count(*) FROM sales_followup f WHERE %s", condition))
        count = cr.fetchone()[0]
        if count:
            problems[problem] = count
    return problems
