"""Indexes this addon adds to tables it does not own (crm, calendar, base), for the
look-ups it makes on every call: created by the models' init(), dropped by the
addon's uninstall hook, since the ORM knows nothing of them."""

from odoo.tools import SQL

from .funnel import counted_sql

# The last digits of a phone number, whatever its punctuation: enough to find the
# contacts sharing a caller's number through an index, then compared in full.
PHONE_TAIL = 9


def phone_tail(column):
    """The indexed tail of ``column``: a column name, or the SQL of the column in
    a query (which the ORM then flushes before running it)."""
    return SQL(
        "right(regexp_replace(%s, '[^0-9]', '', 'g'), %s)",
        SQL.identifier(column) if isinstance(column, str) else column,
        PHONE_TAIL,
    )


# The by-source and funnel reports group every lead by source and month: each
# from an index of its own, holding only the columns it reads (an index-only
# scan), where the table holds every column of every lead. PostgreSQL reads a
# whole index only when it is much smaller than the table: it prices each index
# page as a random read (random_page_cost, 4 by default) and each table page as
# a sequential one, so an index over a fifth of the table loses to it. One index
# for both reports, with the owner and the coordinator too, was 107 MB at 1M
# leads after their funnels were written (its pages split by the writes),
# against 393 MB of a freshly loaded table: PostgreSQL read the table and the
# pivot took 1.4 times crm's own grouping. The creation date is included
# because PostgreSQL scans an index alone only when it holds every column a
# query names. Columns are ordered so that none is padded to its alignment.
#
# The by-source pivot's, keyed by the month: it reads the months in order, and
# the leads of a month fill its pages as they arrive.
SOURCE_INCLUDE = SQL(
    "create_date, company_id, sales_appointment_count, expected_revenue, sales_is_won"
)
# The funnel's, keyed by the source and the month as a date (funnel_month), which
# the funnel reads as each row's month when grouped by month
# (report/sales_report_funnel.py: its date is a day). Read from the key, the
# month is not computed for each lead, nor the grouping's expression above the
# union of leads and spend; grouping without a hash, PostgreSQL reads the leads
# in order. The date as the key's second column takes 69 MB built at 1M leads
# (the source alone took 61 MB built, 74 MB after the generator's writes): the
# plan from the index was priced a tenth under the table's, room for the index
# to grow by half before PostgreSQL reads the table. With the creation month
# as a timestamp in its key, an earlier version's was 91 MB after the writes,
# and PostgreSQL read the table.
# The lead's id too: the Sales bridge's funnel joins the orders on it.
FUNNEL_INCLUDE = SQL(
    "id, company_id, create_date, sales_issued_date, sales_reset_count, "
    "sales_rehash_count, expected_revenue, sales_is_won, sales_is_set, "
    "sales_is_demoed"
)


def funnel_month(column):
    """The first day of the month of ``column`` (a timestamp) as a date: the
    funnel's month, the key of its index."""
    return SQL("date_trunc('month', %s)::date", column)


# The leads the reports count (tools/funnel.py): the calls a coordinator excused
# as not a lead are left out of the index too.
COUNTED_LEADS = counted_sql()

# index name: (table, indexed expression, partial condition[, included columns])
INDEXES = {
    "res_partner_sales_phone_tail_index": (
        "res_partner",
        phone_tail("phone"),
        SQL("phone IS NOT NULL"),
    ),
    "res_partner_sales_mobile_tail_index": (
        "res_partner",
        phone_tail("mobile"),
        SQL("mobile IS NOT NULL"),
    ),
    # mail and crm index e-mails for substring search (trigram), which an exact
    # match cannot use.
    "res_partner_sales_email_normalized_index": (
        "res_partner",
        SQL("email_normalized"),
        SQL("email_normalized IS NOT NULL"),
    ),
    "crm_lead_sales_email_normalized_index": (
        "crm_lead",
        SQL("email_normalized"),
        SQL("email_normalized IS NOT NULL"),
    ),
    # The coordinator board counts each coordinator's open leads nobody contacted
    # lately, per company: an index-only scan (won leads are at 100%; crm leaves
    # the probability empty until its scoring has won and lost leads to learn
    # from, on a new database).
    "crm_lead_sales_silent_open_index": (
        "crm_lead",
        SQL("coordinator_id, last_contact_date, arrival_date"),
        SQL(
            "active AND type IN ('lead', 'opportunity')"
            " AND (probability < 100 OR probability IS NULL)"
        ),
        SQL("company_id"),
    ),
    # Grouped by the owner or the coordinator (or seen by a coordinator, whose
    # rule names them), the reports read the table.
    "crm_lead_sales_source_index": (
        "crm_lead",
        SQL("source_id, date_trunc('month', create_date)"),
        COUNTED_LEADS,
        SOURCE_INCLUDE,
    ),
    "crm_lead_sales_funnel_source_month_index": (
        "crm_lead",
        SQL("source_id, (%s)", funnel_month(SQL.identifier("create_date"))),
        COUNTED_LEADS,
        FUNNEL_INCLUDE,
    ),
    # An advisor's sales appointments over a few weeks, for slot proposals.
    "calendar_event_sales_advisor_start_index": (
        "calendar_event",
        SQL("advisor_id, start"),
        SQL("is_sales_appointment"),
    ),
    # The appointments a coordinator booked this week, for the board.
    "calendar_event_sales_booked_index": (
        "calendar_event",
        SQL("create_date"),
        SQL("is_sales_appointment"),
        SQL("booked_by_id, sales_company_id"),
    ),
}


# Indexes of earlier versions, dropped when the addon is updated.
RETIRED_INDEXES = {
    "crm_lead_sales_funnel_index": "crm_lead",
    "crm_lead_sales_month_index": "crm_lead",
    # keyed by the source alone: the funnel hashed its months
    "crm_lead_sales_funnel_report_index": "crm_lead",
    # missed the leads without a probability
    "crm_lead_sales_silent_company_index": "crm_lead",
    # without the lead's id: beside Sales the funnel read the table
    "crm_lead_sales_funnel_month_index": "crm_lead",
}

# Extended statistics: how many groups a grouping makes. Without them PostgreSQL
# takes each lead's creation date for a month of its own (a million groups at 1M
# leads, where there are 25 months) and sorts every lead on disk to group them,
# in the reports and in crm's own grouping by month alike.
# statistics name: (table, columns or expressions)
STATISTICS = {
    "crm_lead_sales_source_month_stat": (
        "crm_lead",
        SQL("source_id, (date_trunc('month', create_date))"),
    ),
}


def create_indexes(cr, table):
    """Create the indexes and statistics of ``table`` that do not exist yet, and
    drop those of earlier versions."""
    for name, (index_table, expression, where, *include) in INDEXES.items():
        if index_table == table:
            cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s (%s)%s%s",
                    SQL.identifier(name),
                    SQL.identifier(table),
                    expression,
                    SQL(" INCLUDE (%s)", include[0]) if include else SQL(),
                    SQL(" WHERE %s", where) if where is not None else SQL(),
                )
            )
    for name, index_table in RETIRED_INDEXES.items():
        if index_table == table:
            cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    created = False
    for name, (stat_table, columns) in STATISTICS.items():
        if stat_table != table:
            continue
        cr.execute(SQL("SELECT 1 FROM pg_statistic_ext WHERE stxname = %s", name))
        if cr.fetchone():
            continue
        cr.execute(
            SQL(
                "CREATE STATISTICS %s (ndistinct) ON %s FROM %s",
                SQL.identifier(name),
                columns,
                SQL.identifier(table),
            )
        )
        created = True
    if created:
        # Empty until the table is analysed: the planner has them at once
        # rather than after autovacuum's next pass.
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def drop_indexes(cr):
    for name in INDEXES:
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    for name in STATISTICS:
        cr.execute(SQL("DROP STATISTICS IF EXISTS %s", SQL.identifier(name)))
