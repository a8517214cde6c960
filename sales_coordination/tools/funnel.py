"""A lead's funnel (set, issued, demoed, resets, rehashes), defined once in SQL
over its sales appointments and debriefs: the lead's stored columns are computed
from it (crm_lead.py) and filled with it on rows the ORM did not write
(tools/backfill.py: an existing database, the benchmark generator)."""

from odoo.tools import SQL


def counted_sql(lead=None):
    """The leads the reports count, as an SQL condition on ``lead`` (an SQL
    alias of crm_lead; none: the table's own columns, as an index's condition
    has them): not those whose call a coordinator excused as not a lead."""
    column = SQL.identifier(lead, "sales_not_lead") if lead else SQL("sales_not_lead")
    return SQL("%s IS NOT TRUE", column)


# The funnel columns of a lead: column type, value without appointments,
# debriefs or a sale (None: empty).
FUNNEL_COLUMNS = {
    "sales_appointment_count": ("int4", 0),
    "sales_is_set": ("bool", False),
    "sales_issued_date": ("timestamp", None),
    "sales_is_demoed": ("bool", False),
    "sales_reset_count": ("int4", 0),
    "sales_rehash_count": ("int4", 0),
    "sales_is_won": ("bool", False),
}


def visits_sql(where, no_show=None, kind=None):
    """The funnel of the leads with sales appointments matching ``where`` (an
    SQL condition on ``event``, an alias of calendar_event), one row a lead:
    ``lead_id``, ``appointment_count`` (not cancelled), ``issued_date`` (the
    first that took place), ``reset_count`` and ``rehash_count`` (not
    cancelled); a lead without any row is not set. ``no_show`` and ``kind``:
    the SQL of the appointment's no-show flag and visit type, for a database
    whose appointments do not have them yet."""
    no_show = no_show or SQL("event.is_no_show IS TRUE")
    kind = kind or SQL("event.appointment_type")
    return SQL(
        """SELECT event.opportunity_id AS lead_id,
                  count(*) FILTER (WHERE event.active) AS appointment_count,
                  min(event.start) FILTER (
                      -- taken place: neither cancelled nor a no-show, or
                      -- debriefed (even if cancelled afterwards)
                      WHERE event.active AND NOT %(no_show)s
                         OR event.debrief_state = 'done') AS issued_date,
                  count(*) FILTER (
                      WHERE event.active AND %(kind)s = 'reset') AS reset_count,
                  count(*) FILTER (
                      WHERE event.active AND %(kind)s = 'rehash') AS rehash_count
             FROM calendar_event event
            WHERE event.is_sales_appointment
              AND event.opportunity_id IS NOT NULL
              AND %(where)s
         GROUP BY event.opportunity_id""",
        no_show=no_show,
        kind=kind,
        where=where,
    )


def demoed_sql(where):
    """The leads matching ``where`` (an SQL condition on ``debrief.lead_id``)
    with a confirmed debrief: demoed."""
    return SQL(
        """SELECT DISTINCT debrief.lead_id FROM sales_debrief debrief
            WHERE debrief.state = 'done' AND %s""",
        where,
    )
