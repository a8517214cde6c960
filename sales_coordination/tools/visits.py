"""Rules of a sales appointment that its own fields and the bulk fills (an
existing database, the benchmark generator: tools/backfill.py) both need,
written once in SQL: the customer's answer to the invitation, and the type of a
visit from the one before it."""

from odoo.tools import SQL


def customer_response_sql(where):
    """The customer's answer of each appointment matching ``where`` (an SQL
    condition on ``event``, an alias of calendar_event), as rows ``(id,
    answer)``: the answer of the attendee who is the customer invited (a
    decline over an acceptance), else ``none``."""
    return SQL(
        """SELECT event.id, CASE
                  WHEN bool_or(attendee.state = 'declined') THEN 'declined'
                  WHEN bool_or(attendee.state = 'accepted') THEN 'accepted'
                  ELSE 'none' END
             FROM calendar_event event
             LEFT JOIN calendar_attendee attendee
                    ON attendee.event_id = event.id
                   AND event.is_sales_appointment
                   AND attendee.partner_id = event.sales_customer_id
            WHERE %s
         GROUP BY event.id""",
        where,
    )


def type_after_sql(active, no_show, outcome):
    """The type of the visit after one that was ``active`` (not cancelled), a
    ``no_show`` or neither, and whose confirmed debrief ended in ``outcome`` (SQL
    expressions; NULL without a debrief): a reset after a no-show or a
    cancellation, a rehash after a demo without a sale, else a follow-up
    visit. (The first visit of a lead is new.)"""
    return SQL(
        """CASE WHEN %(no_show)s IS TRUE OR NOT %(active)s THEN 'reset'
                WHEN %(outcome)s IN ('lost', 'abandon') THEN 'rehash'
                ELSE 'follow_up' END""",
        active=active,
        no_show=no_show,
        outcome=outcome,
    )


def next_types_sql(lead_ids):
    """The type of the next visit of each lead of ``lead_ids``, as rows
    ``(lead id, type)``, from its latest sales appointment."""
    return SQL(
        """SELECT lead.id, COALESCE(latest.type, 'new')
             FROM unnest(%(ids)s::int[]) AS lead (id)
             LEFT JOIN LATERAL (
                   SELECT %(type_after)s AS type
                     FROM calendar_event visit
                     LEFT JOIN sales_debrief debrief
                            ON debrief.event_id = visit.id
                           AND debrief.state = 'done'
                    WHERE visit.opportunity_id = lead.id
                      AND visit.is_sales_appointment
                 ORDER BY visit.start DESC, visit.id DESC
                    LIMIT 1) latest ON TRUE""",
        ids=lead_ids,
        type_after=type_after_sql(
            SQL("visit.active"), SQL("visit.is_no_show"), SQL("debrief.outcome")
        ),
    )
