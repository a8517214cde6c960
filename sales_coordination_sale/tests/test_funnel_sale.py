from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesCoordinationSaleCommon

# A Monday in the past, inside the standard working hours (UTC).
PAST = datetime(2025, 3, 3, 9, 0)


@tagged("post_install", "-at_install")
class TestFunnelSale(SalesCoordinationSaleCommon):
    """With Sales, the funnel's sold and revenue are the confirmed orders: one
    source of truth, never added to what a won debrief said."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.radio = cls.env["utm.source"].create({"name": "Radio (sale funnel)"})
        cls.signs = cls.env["utm.source"].create({"name": "Signs (sale funnel)"})
        cls.dollar = cls.company.currency_id

        def lead(name, source=cls.radio, **values):
            return cls.env["crm.lead"].create(
                {
                    "name": name,
                    "type": "opportunity",
                    "source_id": source.id,
                    "partner_id": cls.customer.id,
                    "user_id": cls.advisor.id,
                    "company_id": cls.company.id,
                    **values,
                }
            )

        def order(lead, amount):
            return cls._quotation(lead=lead, lines=[(cls.heat_pump, 1, amount)])

        # A: one confirmed order of 10,000.
        cls.lead_a = lead("A: signed")
        order(cls.lead_a, 10000).action_confirm()
        # B: two confirmed orders, 3,000 and 2,000, and a cancelled one.
        cls.lead_b = lead("B: two orders")
        order(cls.lead_b, 3000).action_confirm()
        order(cls.lead_b, 2000).action_confirm()
        order(cls.lead_b, 99000)._action_cancel()
        # C: a debrief said won at 7,000, then the quotation was confirmed at
        # 6,500: 6,500, not 13,500 nor 7,000.
        cls.lead_c = lead("C: won debrief, then signed")
        event = cls._book(lead=cls.lead_c, start=PAST)
        debrief = cls.env["sales.debrief"].create(
            {
                "event_id": event.id,
                "product_interest": "Heat pump",
                "amount_untaxed": 7000,
                "probability": 100,
                "outcome": "won",
            }
        )
        debrief.action_confirm()
        order(cls.lead_c, 6500).action_confirm()
        # D: a quotation sent, not answered.
        cls.lead_d = lead("D: quote sent")
        order(cls.lead_d, 8000).action_quotation_sent()
        # E: won without any quotation (sold outside Sales) at 4,000.
        cls.lead_e = lead("E: won without Sales", expected_revenue=4000)
        cls.lead_e.action_set_won()
        # F: lost, its quotation cancelled.
        cls.lead_f = lead("F: lost")
        order(cls.lead_f, 5000)._action_cancel()
        cls.lead_f.action_set_lost()
        # G: marked won at 8,000 while its quotation still waits for the
        # customer: not sold until they confirm it.
        cls.lead_g = lead("G: won by hand, quote waiting", expected_revenue=8000)
        order(cls.lead_g, 8000).action_quotation_sent()
        cls.lead_g.action_set_won()
        # Another source: one confirmed order of 1,200.
        cls.lead_h = lead("H: signs", source=cls.signs)
        order(cls.lead_h, 1200).action_confirm()

    def _funnel(self, user=None):
        Report = self.env["sales.report.funnel"].with_user(user or self.manager)
        groups = Report.read_group(
            [("source_id", "in", (self.radio | self.signs).ids)],
            ["lead_count:sum", "sold_count:sum", "revenue:sum", "close_rate:sum"],
            ["source_id"],
            lazy=False,
        )
        return {
            group["source_id"][1]: (
                group["lead_count"],
                group["sold_count"],
                group["revenue"],
            )
            for group in groups
        }

    def test_sold_and_revenue_are_the_confirmed_orders(self):
        rows = self._funnel()
        # Radio: A, B, C, E sold; 10,000 + 5,000 + 6,500 + 4,000.
        self.assertEqual(rows["Radio (sale funnel)"], (7, 4, 25500))
        self.assertEqual(rows["Signs (sale funnel)"], (1, 1, 1200))

    def test_each_lead_row(self):
        Report = self.env["sales.report.funnel"].with_user(self.manager)
        rows = {
            row.lead_id: (row.sold_count, row.revenue)
            for row in Report.search([("source_id", "=", self.radio.id)])
        }
        self.assertEqual(
            rows,
            {
                self.lead_a: (1, 10000),
                self.lead_b: (1, 5000),
                self.lead_c: (1, 6500),
                self.lead_d: (0, 0),
                self.lead_e: (1, 4000),
                self.lead_f: (0, 0),
                self.lead_g: (0, 0),
            },
        )
        # The lead says what the funnel says.
        self.assertEqual(self.lead_c.expected_revenue, 6500)

    def test_a_new_confirmation_shows_at_once(self):
        self.lead_d.order_ids.action_confirm()
        self.assertEqual(self._funnel()["Radio (sale funnel)"], (7, 5, 33500))

    def test_order_in_another_currency_counts_in_the_company_currency(self):
        euro = self.env.ref("base.EUR")
        euro.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": euro.id, "rate": 0.5, "name": "2020-01-01"}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Euro", "currency_id": euro.id}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "I: in euros",
                "type": "opportunity",
                "source_id": self.signs.id,
                "partner_id": self.customer.id,
                "company_id": self.company.id,
            }
        )
        order = self._quotation(
            lead=lead, lines=[(self.heat_pump, 1, 500.0)], pricelist_id=pricelist.id
        )
        self.assertEqual(order.currency_id, euro)
        order.action_confirm()
        # 500 EUR at 0.5 EUR a dollar.
        self.assertEqual(self._funnel()["Signs (sale funnel)"], (2, 2, 2200))
        # As sale_crm has it, an order in another currency leaves the lead's
        # expected revenue alone; it is still won.
        self.assertEqual(lead.expected_revenue, 0)
        self.assertTrue(lead.stage_id.is_won)

    def test_funnel_picture_counts_the_same_sales(self):
        Step = self.env["sales.report.funnel.step"].with_user(self.manager)
        groups = Step.read_group(
            [("source_id", "=", self.radio.id), ("step", "=", "5_sold")],
            ["count:sum"],
            ["step"],
            lazy=False,
        )
        self.assertEqual([group["count"] for group in groups], [4])

    def test_each_role_sees_its_own_leads_and_no_other_company(self):
        rows = self._funnel(user=self.coordinator)
        self.assertEqual(rows["Radio (sale funnel)"], (7, 4, 25500))
        self.assertFalse(self._funnel(user=self.other_coordinator))
        self.assertFalse(self._funnel(user=self.manager_c2))
        # The advisor sees their own leads; another advisor none of them.
        self.assertEqual(
            self._funnel(user=self.advisor)["Radio (sale funnel)"], (7, 4, 25500)
        )
        self.assertFalse(self._funnel(user=self.advisor_2))
        with self.assertRaises(AccessError):
            self.env["sales.report.funnel.step"].with_user(self.coordinator).search([])
