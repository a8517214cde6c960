from odoo import fields, models
from odoo.tools import SQL

from ..tools.indexes import funnel_month
from .sales_report_source import COUNTED, LEAD_COLUMNS


def issued_sql():
    """A lead was issued once its first visit that took place has started (by
    the server's clock, as everywhere in the addon)."""
    return SQL(
        "(lead.sales_issued_date IS NOT NULL AND lead.sales_issued_date <= %s)",
        fields.Datetime.now(),
    )


# Measures that are ratios of two sums, at every level of a pivot:
# field: (numerator, denominator, factor, empty without spend).
RATIOS = {
    "set_rate": ("set_count", "lead_count", 100.0, False),
    "issue_rate": ("issued_count", "set_count", 100.0, False),
    "demo_rate": ("demoed_count", "issued_count", 100.0, False),
    "close_rate": ("sold_count", "demoed_count", 100.0, False),
    "conversion_rate": ("sold_count", "lead_count", 100.0, False),
    "cost_per_lead": ("spend", "lead_count", 1.0, True),
    "cost_per_issued": ("spend", "issued_count", 1.0, True),
    "cost_per_sale": ("spend", "sold_count", 1.0, True),
    "roi": ("revenue", "spend", 1.0, True),
}


# What most rows lack is NULL there rather than a zero, which PostgreSQL would
# add up row after row (a numeric sum, or a call of the integer sum's step for
# each row): the steps a lead reached are 1 or NULL and summed as a count of
# the rows that have them, which PostgreSQL skips for a NULL without a call;
# the amounts and counts of few rows sum as 0 where no row has one. A row reads
# 0 either way (the ORM reads an integer or monetary NULL as 0), and its
# average, smallest or largest counts NULL as 0.
FLAGS = (
    "lead_count",
    "set_count",
    "issued_count",
    "demoed_count",
    "sold_count",
    "spend_line_count",
)
SPARSE = ("reset_count", "rehash_count", "revenue", "spend")


class SalesReportFunnel(models.Model):
    """The funnel of every lead (one row per lead), and the marketing spend (one
    row per line of spend, on the first day of its month): grouped by source and
    month, the spend sits beside the leads it bought."""

    _name = "sales.report.funnel"
    _description = "Source Funnel"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "lead_id"
    _depends = {
        "crm.lead": LEAD_COLUMNS,
        "sales.source.cost": [
            "source_id",
            "medium_id",
            "campaign_id",
            "month",
            "amount",
            "company_id",
        ],
    }

    lead_id = fields.Many2one("crm.lead", readonly=True)
    date = fields.Date(
        readonly=True,
        help="The day the lead came in (UTC), or the month of a line of spend.",
    )
    source_id = fields.Many2one("utm.source", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    referred_by_id = fields.Many2one("res.partner", readonly=True)
    coordinator_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", string="Advisor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Currency", readonly=True
    )
    lead_count = fields.Integer(string="Leads", readonly=True)
    set_count = fields.Integer(
        string="Set", readonly=True, help="Leads with a sales appointment booked."
    )
    issued_count = fields.Integer(
        string="Issued",
        readonly=True,
        help="Leads whose advisor went: an appointment neither cancelled nor a "
        "no-show, that has started.",
    )
    demoed_count = fields.Integer(
        string="Demoed", readonly=True, help="Leads with a confirmed debrief."
    )
    sold_count = fields.Integer(string="Sold", readonly=True)
    reset_count = fields.Integer(
        string="Resets",
        readonly=True,
        help="Visits rebooked after a no-show or a cancellation (not counted "
        "again in Set).",
    )
    rehash_count = fields.Integer(
        string="Rehashes",
        readonly=True,
        help="Further visits after a demo without a sale (not counted again in Set).",
    )
    revenue = fields.Monetary(readonly=True, currency_field="company_currency_id")
    spend = fields.Monetary(
        readonly=True,
        currency_field="company_currency_id",
        groups="sales_coordination.group_manager",
    )
    spend_line_count = fields.Integer(
        string="Lines of Spend",
        readonly=True,
        groups="sales_coordination.group_manager",
    )
    set_rate = fields.Float(string="Set %", readonly=True, aggregator="sum")
    issue_rate = fields.Float(string="Issued % of Set", readonly=True, aggregator="sum")
    demo_rate = fields.Float(
        string="Demoed % of Issued", readonly=True, aggregator="sum"
    )
    close_rate = fields.Float(
        string="Sold % of Demoed", readonly=True, aggregator="sum"
    )
    conversion_rate = fields.Float(
        string="Sold % of Leads", readonly=True, aggregator="sum"
    )
    cost_per_lead = fields.Float(
        string="Cost per Lead",
        readonly=True,
        aggregator="sum",
        groups="sales_coordination.group_manager",
    )
    cost_per_issued = fields.Float(
        string="Cost per Issued Appointment",
        readonly=True,
        aggregator="sum",
        groups="sales_coordination.group_manager",
    )
    cost_per_sale = fields.Float(
        string="Cost per Sale",
        readonly=True,
        aggregator="sum",
        groups="sales_coordination.group_manager",
    )
    roi = fields.Float(
        string="ROI",
        readonly=True,
        aggregator="sum",
        groups="sales_coordination.group_manager",
        help="Revenue divided by spend; empty without spend.",
    )

    def _read_group_select(self, aggregate_spec, query):
        # A ratio is the ratio of the sums, never a sum of ratios; empty rather
        # than divided by zero, and cost ratios empty where nothing was spent.
        fname, __, aggregator = aggregate_spec.partition(":")
        if fname in FLAGS + SPARSE and aggregator in ("sum", "avg", "min", "max"):
            self.check_field_access_rights("read", [fname])
            if aggregator == "sum":
                return self._sum_sql(fname, query)
            return SQL(
                "%s(COALESCE(%s, 0))",
                SQL(aggregator.upper()),
                self._field_to_sql(self._table, fname, query),
            )
        if fname not in RATIOS:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, factor, needs_spend = RATIOS[fname]
        self.check_field_access_rights("read", [fname])
        ratio = SQL(
            "(%s * %s / NULLIF(%s, 0))::float8",
            factor,
            self._sum_sql(numerator, query),
            self._sum_sql(denominator, query),
        )
        if not needs_spend:
            return ratio
        return SQL(
            "CASE WHEN %s > 0 THEN %s END",
            self._sum_sql("spend_line_count", query),
            ratio,
        )

    def _sum_sql(self, fname, query):
        """The sum of ``fname`` over a group, 0 when no row has one (see
        ``FLAGS`` and ``SPARSE``)."""
        column = self._field_to_sql(self._table, fname, query)
        if fname in FLAGS:
            return SQL("COUNT(%s)", column)
        return SQL("COALESCE(SUM(%s), 0)", column)

    def _read_group_groupby(self, groupby_spec, query):
        sql = super()._read_group_groupby(groupby_spec, query)
        if groupby_spec != "date:month":
            return sql
        # Each row's month, read rather than computed from its date: the same
        # value (the first day of the date's month; the date is a day, which no
        # user's time zone moves), given for the leads by the key of their
        # index (see _lead_rows).
        return SQL.identifier(self._table, "month")

    def _lead_rows(self):
        # Grouped by source and month, only columns of crm_lead's funnel index
        # (tools/indexes.py), whose key is the source and ``month``: the index
        # gives each lead's month rather than every lead computing it. Which
        # leads count is a column, filtered outside the union (_table_query),
        # not a WHERE of its own: PostgreSQL merges a branch of a union into
        # the query only when it has no condition, and a branch it cannot merge
        # is computed whole, every column of every lead, before the grouping
        # reads it.
        return SQL(
            """
            SELECT lead.id AS id,
                   lead.id AS lead_id,
                   lead.create_date::date AS date,
                   lead.source_id, lead.medium_id, lead.campaign_id,
                   lead.referred_by_id, lead.coordinator_id, lead.user_id,
                   lead.company_id,
                   1 AS lead_count,
                   CASE WHEN lead.sales_is_set THEN 1 END AS set_count,
                   CASE WHEN %(issued)s THEN 1 END AS issued_count,
                   CASE WHEN lead.sales_is_demoed THEN 1 END AS demoed_count,
                   CASE WHEN %(sold)s THEN 1 END AS sold_count,
                   NULLIF(lead.sales_reset_count, 0) AS reset_count,
                   NULLIF(lead.sales_rehash_count, 0) AS rehash_count,
                   %(revenue)s AS revenue,
                   NULL::numeric AS spend,
                   NULL::int AS spend_line_count,
                   %(ratios)s,
                   %(counted)s AS counted,
                   %(month)s AS month
              FROM crm_lead lead
                   %(sale_join)s
            """,
            issued=issued_sql(),
            counted=COUNTED,
            month=funnel_month(SQL.identifier("lead", "create_date")),
            ratios=self._no_ratios(),
            **self._lead_sale_sql(),
        )

    def _lead_sale_sql(self):
        """How a lead row counts as sold, and its revenue: ``sold`` (a boolean
        expression), ``revenue`` (numeric, NULL where there is none: see
        ``SPARSE``) and ``sale_join`` (what they need
        joined to ``crm_lead lead``). Here the won stage and the expected
        revenue; the Sales bridge counts confirmed orders instead."""
        return {
            "sold": SQL("lead.sales_is_won"),
            "revenue": SQL(
                "CASE WHEN lead.sales_is_won THEN lead.expected_revenue END"
            ),
            "sale_join": SQL(),
        }

    def _spend_rows(self):
        # Negative ids: spend rows never collide with leads. Every column has the
        # lead rows' type, so that PostgreSQL flattens the union and scans the
        # leads' index alone.
        return SQL(
            """
            SELECT -cost.id, NULL::int, cost.month,
                   cost.source_id, cost.medium_id, cost.campaign_id,
                   NULL::int, NULL::int, NULL::int,
                   cost.company_id,
                   NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
                   NULL::int, NULL::int, NULL::numeric,
                   cost.amount,
                   1,
                   %s,
                   TRUE,
                   date_trunc('month', cost.month::timestamp)::date
              FROM sales_source_cost cost
            """,
            self._no_ratios(),
        )

    def _no_ratios(self):
        # Ratios exist only in groups (_read_group_select).
        return SQL(", ").join(
            SQL("NULL::float8 AS %s", SQL.identifier(name)) for name in RATIOS
        )

    @property
    def _table_query(self):
        return SQL(
            "SELECT * FROM (%s UNION ALL %s) funnel WHERE funnel.counted",
            self._lead_rows(),
            self._spend_rows(),
        )


STEPS = [
    ("1_lead", "Leads"),
    ("2_set", "Set"),
    ("3_issued", "Issued"),
    ("4_demoed", "Demoed"),
    ("5_sold", "Sold"),
]


class SalesReportFunnelStep(models.Model):
    """The funnel as a picture: for each company, source and month, one row per
    step (leads, set, issued, demoed, sold) with its count, so that a bar chart
    by step narrows like the funnel it is. Managers only."""

    _name = "sales.report.funnel.step"
    _description = "Source Funnel Steps"
    _auto = False
    _order = "date desc, step"
    _rec_name = "step"
    _depends = {"crm.lead": LEAD_COLUMNS}

    date = fields.Date(string="Month", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    step = fields.Selection(STEPS, readonly=True)
    count = fields.Integer(readonly=True)

    @property
    def _table_query(self):
        sale = self.env["sales.report.funnel"]._lead_sale_sql()
        return SQL(
            """
            SELECT row_number() OVER () AS id, month.company_id, month.source_id,
                   month.date, step.step, step.count
              FROM (
                SELECT lead.company_id, lead.source_id,
                       date_trunc('month', lead.create_date)::date AS date,
                       count(*) AS leads,
                       count(*) FILTER (WHERE lead.sales_is_set) AS set,
                       count(*) FILTER (WHERE %s) AS issued,
                       count(*) FILTER (WHERE lead.sales_is_demoed) AS demoed,
                       count(*) FILTER (WHERE %s) AS sold
                  FROM crm_lead lead
                       %s
                 WHERE %s
              GROUP BY lead.company_id, lead.source_id,
                       date_trunc('month', lead.create_date)
              ) month
              CROSS JOIN LATERAL (VALUES
                  ('1_lead', month.leads), ('2_set', month.set),
                  ('3_issued', month.issued), ('4_demoed', month.demoed),
                  ('5_sold', month.sold)
              ) step (step, count)
            """,
            issued_sql(),
            sale["sold"],
            sale["sale_join"],
            COUNTED,
        )
