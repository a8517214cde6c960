from odoo import fields, models
from odoo.tools import SQL

from ..tools.funnel import counted_sql

# The lead columns the by-source and funnel reports read: pending writes to them
# are flushed before a report is queried.
LEAD_COLUMNS = [
    "create_date",
    "source_id",
    "medium_id",
    "campaign_id",
    "referred_by_id",
    "coordinator_id",
    "user_id",
    "company_id",
    "expected_revenue",
    "sales_appointment_count",
    "sales_is_set",
    "sales_issued_date",
    "sales_is_demoed",
    "sales_is_won",
    "sales_reset_count",
    "sales_rehash_count",
    "sales_not_lead",
]
# The leads the reports count (tools/funnel.py).
COUNTED = counted_sql("lead")


class SalesReportSource(models.Model):
    """One row per lead, for leads, appointments, sales and revenue by source."""

    _name = "sales.report.source"
    _description = "Leads and Sales by Source"
    _auto = False
    _order = "date desc"
    _rec_name = "lead_id"
    _depends = {"crm.lead": LEAD_COLUMNS}

    lead_id = fields.Many2one("crm.lead", readonly=True)
    date = fields.Datetime(string="Lead Created", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    referred_by_id = fields.Many2one("res.partner", readonly=True)
    coordinator_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    lead_count = fields.Integer(string="Leads", readonly=True)
    appointment_count = fields.Integer(
        string="Appointments",
        readonly=True,
        help="Sales appointments of the leads, not cancelled (resets and rehashes "
        "included). The funnel's Set counts the leads with an appointment booked; "
        "the board's and Coordinator Activity's Appointments Set, the bookings of "
        "each coordinator.",
    )
    won_count = fields.Integer(
        string="Won",
        readonly=True,
        help="Leads in a won stage. The Source Funnel's Sold counts the same "
        "without Sales; with Sales, the leads with a confirmed order.",
    )
    revenue = fields.Monetary(
        readonly=True,
        currency_field="company_currency_id",
        help="The expected revenue of the won leads. With Sales, the Source "
        "Funnel's Revenue is that of the confirmed orders.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Currency", readonly=True
    )
    conversion_rate = fields.Float(
        string="Conversion",
        readonly=True,
        aggregator="avg",
        help="Share of the leads that were won (averaged over the leads).",
    )

    def _select(self):
        # Grouped by source and date, only columns of crm_lead's
        # by-source index (tools/indexes.py), which holds the counted leads.
        return SQL(
            """
            lead.id AS id,
            lead.id AS lead_id,
            lead.create_date AS date,
            lead.source_id AS source_id,
            lead.medium_id AS medium_id,
            lead.campaign_id AS campaign_id,
            lead.referred_by_id AS referred_by_id,
            lead.coordinator_id AS coordinator_id,
            lead.user_id AS user_id,
            lead.company_id AS company_id,
            1 AS lead_count,
            lead.sales_appointment_count AS appointment_count,
            CASE WHEN lead.sales_is_won THEN 1 ELSE 0 END AS won_count,
            CASE WHEN lead.sales_is_won THEN COALESCE(lead.expected_revenue, 0)
                 ELSE 0 END AS revenue,
            CASE WHEN lead.sales_is_won THEN 1.0 ELSE 0.0 END AS conversion_rate
            """
        )

    def _query(self):
        return SQL("SELECT %s FROM crm_lead lead WHERE %s", self._select(), COUNTED)

    @property
    def _table_query(self):
        return self._query()
