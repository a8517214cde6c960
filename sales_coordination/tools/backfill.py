"""The SQL that fills the columns this addon adds to tables holding data already:
on an existing database, where the ORM would compute them record by record
(``pre_init_hook``, before the install; the migrations, before an update), and
for rows written around the ORM (the benchmark generator). Plain functions of a
cursor: they run before the addon's models are loaded, and each column is
created only when missing, so they change nothing on a database that has it."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, table_exists

from ..models.sales_followup import queue_coordinator_sql
from . import priority
from .funnel import FUNNEL_COLUMNS, demoed_sql, visits_sql
from .visits import customer_response_sql, type_after_sql

# The stored parts of a follow-up's priority.
PRIORITY_COLUMNS = {
    "priority_tier": "int4",
    "priority_base": "float8",
    "priority_rate": "float8",
    "priority_key": "float8",
}


def add_columns(cr, default_company_id):
    """Create the addon's columns of existing tables that miss them, filled in
    SQL (in the order the models are set up: appointments, leads, follow-ups).
    ``default_company_id``: the company of the follow-ups without one, for
    their priority's daily rate."""
    add_event_columns(cr)
    add_lead_columns(cr)
    add_followup_columns(cr, default_company_id)


def add_lead_columns(cr):
    if not column_exists(cr, "crm_lead", "arrival_date"):
        # Leads that predate the addon arrived when they were created.
        create_column(cr, "crm_lead", "arrival_date", "timestamp")
        cr.execute(SQL("UPDATE crm_lead SET arrival_date = create_date"))
    add_funnel_columns(cr)


def add_event_columns(cr):
    if not column_exists(cr, "calendar_event", "sales_company_id"):
        create_column(cr, "calendar_event", "sales_company_id", "int4")
        cr.execute(
            SQL(
                """UPDATE calendar_event event
                      SET sales_company_id = lead.company_id
                     FROM crm_lead lead WHERE lead.id = event.opportunity_id"""
            )
        )
    if not column_exists(cr, "calendar_event", "sales_customer_id"):
        create_column(cr, "calendar_event", "sales_customer_id", "int4")
        if column_exists(cr, "calendar_event", "is_sales_appointment"):
            cr.execute(
                SQL(
                    """UPDATE calendar_event event
                          SET sales_customer_id = lead.partner_id
                         FROM crm_lead lead
                        WHERE lead.id = event.opportunity_id
                          AND event.is_sales_appointment"""
                )
            )
    if not column_exists(cr, "calendar_event", "customer_response"):
        create_column(cr, "calendar_event", "customer_response", "varchar")
        fill_customer_responses(cr)
    if not column_exists(cr, "calendar_event", "appointment_type"):
        create_column(cr, "calendar_event", "appointment_type", "varchar")
        if column_exists(cr, "calendar_event", "is_sales_appointment"):
            fill_appointment_types(cr)


def fill_customer_responses(cr):
    """The answers already given, rather than computed appointment by
    appointment on a database that holds many."""
    if not column_exists(cr, "calendar_event", "is_sales_appointment"):
        cr.execute(SQL("UPDATE calendar_event SET customer_response = 'none'"))
        return
    cr.execute(
        SQL(
            """UPDATE calendar_event SET customer_response = answer.response
                 FROM (%s) AS answer (id, response)
                WHERE answer.id = calendar_event.id""",
            customer_response_sql(SQL("TRUE")),
        )
    )


def fill_appointment_types(cr):
    """Types for appointments booked before types existed, each from the visit
    before it (tools/visits.py)."""
    has_debriefs = table_exists(cr, "sales_debrief")
    cr.execute(
        SQL(
            """UPDATE calendar_event event
                  SET appointment_type = CASE WHEN ranked.rank = 1 THEN 'new'
                                              ELSE %(type_after)s END
                 FROM (SELECT visit.id,
                              row_number() OVER lead_visits AS rank,
                              lag(visit.active) OVER lead_visits
                                  AS previous_active,
                              lag(%(no_show)s) OVER lead_visits
                                  AS previous_no_show,
                              lag(%(outcome)s) OVER lead_visits
                                  AS previous_outcome
                         FROM calendar_event visit
                         %(debrief)s
                        WHERE visit.is_sales_appointment
                          AND visit.opportunity_id IS NOT NULL
                       WINDOW lead_visits AS (PARTITION BY visit.opportunity_id
                                              ORDER BY visit.start, visit.id)
                      ) ranked
                WHERE ranked.id = event.id""",
            type_after=type_after_sql(
                SQL("ranked.previous_active"),
                SQL("ranked.previous_no_show"),
                SQL("ranked.previous_outcome"),
            ),
            no_show=SQL("visit.is_no_show")
            if column_exists(cr, "calendar_event", "is_no_show")
            else SQL("NULL::bool"),
            outcome=SQL("debrief.outcome") if has_debriefs else SQL("NULL"),
            debrief=SQL(
                """LEFT JOIN sales_debrief debrief
                          ON debrief.event_id = visit.id
                         AND debrief.state = 'done'"""
            )
            if has_debriefs
            else SQL(),
        )
    )


def add_funnel_columns(cr):
    """The funnel columns, added with their empty value (no rewrite of the
    table), then only the leads with appointments, debriefs or a sale updated."""
    missing = [
        name for name in FUNNEL_COLUMNS if not column_exists(cr, "crm_lead", name)
    ]
    for name in missing:
        column_type, empty = FUNNEL_COLUMNS[name]
        # A constant default fills the existing rows without rewriting them;
        # the ORM, not the database, gives new leads their values.
        cr.execute(
            SQL(
                "ALTER TABLE crm_lead ADD COLUMN %s %s%s",
                SQL.identifier(name),
                SQL(column_type),
                SQL(" DEFAULT %s", empty) if empty is not None else SQL(),
            )
        )
        if empty is not None:
            cr.execute(
                SQL(
                    "ALTER TABLE crm_lead ALTER COLUMN %s DROP DEFAULT",
                    SQL.identifier(name),
                )
            )
    if missing:
        fill_funnel_columns(cr)


def fill_funnel_columns(cr, reset=False):
    """Fill the funnel columns of existing leads; ``reset`` first empties them
    on every lead (rows written by SQL, as in the benchmarks)."""
    if reset:
        cr.execute(
            SQL(
                "UPDATE crm_lead SET %s",
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(name), empty)
                    for name, (_type, empty) in FUNNEL_COLUMNS.items()
                ),
            )
        )
    if column_exists(cr, "calendar_event", "is_sales_appointment"):
        no_show = (
            None if column_exists(cr, "calendar_event", "is_no_show") else SQL("FALSE")
        )
        kind = (
            None
            if column_exists(cr, "calendar_event", "appointment_type")
            else SQL("NULL")
        )
        cr.execute(
            SQL(
                """UPDATE crm_lead lead
                      SET sales_appointment_count = visits.appointment_count,
                          sales_is_set = TRUE,
                          sales_issued_date = visits.issued_date,
                          sales_reset_count = visits.reset_count,
                          sales_rehash_count = visits.rehash_count
                     FROM (%s) visits
                    WHERE visits.lead_id = lead.id""",
                visits_sql(SQL("TRUE"), no_show=no_show, kind=kind),
            )
        )
    if column_exists(cr, "sales_debrief", "lead_id"):
        cr.execute(
            SQL(
                "UPDATE crm_lead SET sales_is_demoed = TRUE WHERE id IN (%s)",
                demoed_sql(SQL("TRUE")),
            )
        )
    cr.execute(
        SQL(
            """UPDATE crm_lead lead SET sales_is_won = TRUE
                 FROM crm_stage stage
                WHERE stage.id = lead.stage_id AND stage.is_won AND lead.active"""
        )
    )


def add_followup_columns(cr, default_company_id):
    """The follow-ups' columns of later versions (an existing queue only)."""
    if not table_exists(cr, "sales_followup"):
        return
    if not column_exists(cr, "sales_followup", "priority_key"):
        for column, kind in PRIORITY_COLUMNS.items():
            create_column(cr, "sales_followup", column, kind)
        fill_priority(cr, default_company_id)
    if not column_exists(cr, "sales_followup", "visit_start"):
        create_column(cr, "sales_followup", "visit_start", "timestamp")
        cr.execute(
            SQL(
                """UPDATE sales_followup f SET visit_start = event.start
                     FROM calendar_event event WHERE event.id = f.event_id"""
            )
        )
    if not column_exists(cr, "sales_followup", "queue_coordinator_id"):
        create_column(cr, "sales_followup", "queue_coordinator_id", "int4")
        fill_queue_coordinators(cr)


def fill_queue_coordinators(cr):
    """Each follow-up's queue owner (``queue_coordinator_sql``)."""
    cr.execute(
        SQL(
            "UPDATE sales_followup f SET queue_coordinator_id = %s",
            queue_coordinator_sql(SQL.identifier("f")),
        )
    )


def fill_priority(cr, default_company_id, where=None):
    """The stored parts of the priority of the follow-ups matching ``where`` (an
    SQL condition on ``f``; all by default), from tools/priority.py's SQL: the
    same figures as ``sales.followup._compute_priority``. Returns how many."""
    cr.execute(SQL("SELECT id, sales_priority_decay FROM res_company"))
    rates = SQL(", ").join(
        SQL("(%s, %s)", company_id, priority.daily_points(decay))
        for company_id, decay in cr.fetchall()
    )
    cr.execute(
        SQL(
            """WITH rate (company_id, value) AS (VALUES %(rates)s),
               part AS (
                   SELECT f.id, rate.value AS rate, %(tier)s AS tier,
                          %(base)s AS base, %(quote_day)s AS quote_day
                     FROM sales_followup f
                     JOIN crm_lead lead ON lead.id = f.lead_id
                     JOIN rate ON rate.company_id = COALESCE(
                          f.company_id, %(default)s)
                    WHERE %(where)s)
            UPDATE sales_followup f
               SET priority_tier = part.tier, priority_base = part.base,
                   priority_rate = part.rate, priority_key = %(key)s
              FROM part
             WHERE f.id = part.id""",
            rates=rates,
            tier=priority.tier_sql(SQL("f.kind"), SQL("f.is_inbound")),
            base=priority.base_points_sql(
                SQL("lead.expected_revenue"),
                SQL("lead.probability"),
                SQL("lead.urgency"),
            ),
            quote_day=priority.quote_day_sql(SQL.identifier("f")),
            key=priority.ordering_key_sql(
                SQL("part.base"), SQL("part.quote_day"), SQL("part.rate")
            ),
            default=default_company_id,
            where=where or SQL("TRUE"),
        )
    )
    return cr.rowcount
