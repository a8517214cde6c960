"""18.0.1.5.0: the queue is ordered by what does not change with the days.

A follow-up's priority is no longer a stored score that a daily upkeep rewrote
(and that Next call waded through while it did): its tier, value points, daily
rate and ordering key are stored once, and the score is computed when read. The
stored score, its day and their indexes go here; the new columns are added and
filled in SQL (18.0.1.9.0's pre-migrate.py), the model creates the queue's
indexes on them."""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    for index in (
        "sales_followup_queue_index",
        "sales_followup_advisor_queue_index",
        "sales_followup_queue_coordinator_index",
        "sales_followup_priority_date_index",
    ):
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
    cr.execute(
        SQL(
            """ALTER TABLE sales_followup DROP COLUMN IF EXISTS priority_date,
                                          DROP COLUMN IF EXISTS priority_score"""
        )
    )
