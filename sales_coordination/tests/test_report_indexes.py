from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import SQL

from .common import SalesCoordinationCommon

FUNNEL_INDEX = "crm_lead_sales_funnel_source_month_index"


@tagged("post_install", "-at_install")
class TestReportIndexes(SalesCoordinationCommon):
    """The by-source pivot and the funnel, as a manager groups them by source and
    month, can be answered from their own index of crm_lead alone (an
    index-only scan): each index holds every column its report reads. On a few
    leads PostgreSQL reads the table anyway, so the scans of the table are
    priced out here, and the report's sibling indexes (as cheap as its own on a
    few rows, without demo data or beside Sales) dropped inside the test; on a
    million it chooses the index itself (bench/)."""

    def _pivot_plan(self, model, measures, index, hashing=True):
        """The plan of the grouping query of ``model`` by source and month, with
        ``index`` the only one of the addon's report indexes of crm_lead (and
        without hashing the groups unless ``hashing``)."""
        report = self.env[model].with_user(self.manager)
        cr = self.env.cr
        with patch.object(cr, "execute", wraps=cr.execute) as execute:
            report.read_group([], measures, ["source_id", "date:month"], lazy=False)
        grouping = [
            call.args[0]
            for call in execute.call_args_list
            if isinstance(call.args[0], SQL)
            and f'GROUP BY "{report._table}"' in call.args[0].code
        ]
        self.assertEqual(len(grouping), 1)
        cr.execute(
            SQL(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'crm_lead' "
                "AND indexname LIKE %s AND indexname != %s",
                "crm_lead_sales_%",
                index,
            )
        )
        for (sibling,) in cr.fetchall():
            # Rolled back with the test.
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(sibling)))
        cr.execute(SQL("SET LOCAL enable_seqscan = off"))
        cr.execute(SQL("SET LOCAL enable_bitmapscan = off"))
        if not hashing:
            cr.execute(SQL("SET LOCAL enable_hashagg = off"))
        cr.execute(SQL("EXPLAIN %s", grouping[0]))
        return "\n".join(row[0] for row in cr.fetchall())

    def test_source_pivot_reads_its_index_alone(self):
        plan = self._pivot_plan(
            "sales.report.source",
            [
                "lead_count:sum",
                "appointment_count:sum",
                "won_count:sum",
                "revenue:sum",
                "conversion_rate:avg",
            ],
            "crm_lead_sales_source_index",
        )
        self.assertIn("Index Only Scan using crm_lead_sales_source_index", plan)

    def _funnel_measures(self):
        funnel = self.env["sales.report.funnel"]
        return [
            f"{name}:sum"
            for name, field in funnel._fields.items()
            if field.type in ("integer", "float", "monetary") and name != "id"
        ]

    def test_funnel_reads_its_index_alone(self):
        plan = self._pivot_plan(
            "sales.report.funnel",
            self._funnel_measures(),
            FUNNEL_INDEX,
        )
        self.assertIn(f"Index Only Scan using {FUNNEL_INDEX}", plan)

    def test_funnel_reads_its_months_in_order(self):
        # The month of each lead is the key of the index: grouped without a
        # hash, the leads come from the index in the grouping's order, merged
        # with the (sorted) spend, never sorted themselves.
        if self.env["sales.report.funnel"]._lead_sale_sql()["sale_join"]:
            # (The Sales bridge's funnel joins each lead's orders, which gives
            # its rows in the join's order; it still reads the index alone.)
            self.skipTest("the Sales bridge's funnel sorts what its join gives")
        plan = self._pivot_plan(
            "sales.report.funnel",
            self._funnel_measures(),
            FUNNEL_INDEX,
            hashing=False,
        )
        self.assertIn("Merge Append", plan)
        scan = plan.index(f"Index Only Scan using {FUNNEL_INDEX}")
        self.assertNotIn("->  Sort", plan[plan.index("Merge Append") : scan])

    def test_former_index_is_gone(self):
        self.env.cr.execute(
            SQL(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'crm_lead' "
                "AND indexname LIKE 'crm_lead_sales_%%'"
            )
        )
        names = {row[0] for row in self.env.cr.fetchall()}
        self.assertIn("crm_lead_sales_source_index", names)
        self.assertIn(FUNNEL_INDEX, names)
        self.assertNotIn("crm_lead_sales_funnel_report_index", names)
        self.assertNotIn("crm_lead_sales_month_index", names)
        self.assertNotIn("crm_lead_sales_funnel_index", names)
        self.assertNotIn("crm_lead_sales_funnel_month_index", names)
