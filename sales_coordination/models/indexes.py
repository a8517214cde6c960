"""Indexes this addon adds to tables it does not own (crm, calendar, base), for the
look-ups it makes on every call: created by the models' init(), dropped by the
addon's uninstall hook, since the ORM knows nothing of them."""

from odoo.tools import SQL

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


# The funnel of every lead, as the by-source and funnel reports read it: grouped by
# source and month from this index alone (an index-only scan, a fraction of the
# table's width), whatever the medium, campaign or owner columns the heap holds.
FUNNEL_INCLUDE = SQL(
    "company_id, user_id, coordinator_id, expected_revenue, sales_is_won, "
    "sales_appointment_count, sales_is_set, sales_issued_date, sales_is_demoed, "
    "sales_reset_count, sales_rehash_count"
)

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
    # lately, per company: an index-only scan (won leads are at 100%).
    "crm_lead_sales_silent_company_index": (
        "crm_lead",
        SQL("coordinator_id, last_contact_date, arrival_date"),
        SQL("active AND type IN ('lead', 'opportunity') AND probability < 100"),
        SQL("company_id"),
    ),
    "crm_lead_sales_funnel_index": (
        "crm_lead",
        SQL("source_id, create_date"),
        None,
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


def create_indexes(cr, table):
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


def drop_indexes(cr):
    for name in INDEXES:
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
