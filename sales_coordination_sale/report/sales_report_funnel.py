from odoo import models
from odoo.tools import SQL

ORDER_COLUMNS = ["opportunity_id", "state", "amount_untaxed", "currency_rate"]


class SalesReportFunnel(models.Model):
    _inherit = "sales.report.funnel"
    _depends = {"sale.order": ORDER_COLUMNS}

    def _lead_sale_sql(self):
        # With Sales, the orders say what was sold: a lead with a confirmed
        # order is sold for their untaxed total (in the company's currency),
        # whatever a debrief said; a won lead without any quotation (sold
        # outside Sales) keeps its expected revenue. Never both.
        no_order = SQL("COALESCE(sale.open_count, 0) = 0")
        return {
            "sold": SQL(
                "COALESCE(sale.confirmed_count, 0) > 0 OR (lead.sales_is_won AND %s)",
                no_order,
            ),
            "revenue": SQL(
                """CASE WHEN COALESCE(sale.confirmed_count, 0) > 0
                        THEN sale.revenue
                        WHEN lead.sales_is_won AND %s
                        THEN lead.expected_revenue
                   END""",
                no_order,
            ),
            "sale_join": SQL(
                """LEFT JOIN (
                       SELECT so.opportunity_id,
                              count(*) FILTER (WHERE so.state = 'sale')
                                  AS confirmed_count,
                              count(*) FILTER (WHERE so.state != 'cancel')
                                  AS open_count,
                              SUM(so.amount_untaxed / COALESCE(
                                      NULLIF(so.currency_rate, 0), 1))
                                  FILTER (WHERE so.state = 'sale') AS revenue
                         FROM sale_order so
                        WHERE so.opportunity_id IS NOT NULL
                     GROUP BY so.opportunity_id
                   ) sale ON sale.opportunity_id = lead.id"""
            ),
        }


class SalesReportFunnelStep(models.Model):
    _inherit = "sales.report.funnel.step"
    _depends = {"sale.order": ORDER_COLUMNS}
