from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AFTER, SalesCoordinationSaleCommon


@tagged("post_install", "-at_install")
class TestDebriefQuotation(SalesCoordinationSaleCommon):
    """The debrief reads its value and product from the quotation it is about,
    and refuses a quotation that is not this customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = cls._book()
        cls.order = cls._quotation()

    def test_quotation_gives_value_and_product(self):
        debrief = self._debrief_form(self.event, order=self.order)
        self.assertEqual(debrief.amount_untaxed, 10500)
        self.assertEqual(debrief.product_interest, "Heat pump 12 kW")
        self.assertEqual(debrief.sale_order_state, "draft")
        with freeze_time(AFTER):
            debrief.with_user(self.coordinator).action_confirm()
        self.assertEqual(self.lead.expected_revenue, 10500)
        summary = self.lead.message_ids.filtered(
            lambda message: "Debrief of" in message.body
        )[:1]
        self.assertIn(f"Quotation: {self.order.name} (Quotation)", summary.body)

    def test_main_line_is_the_largest(self):
        order = self._quotation(
            lines=[(self.heat_pump, 1, 9000.0), (self.install, 2, 6000.0)]
        )
        debrief = self._debrief_form(self.event, order=order)
        self.assertEqual(debrief.product_interest, "Installation")
        self.assertEqual(debrief.amount_untaxed, 21000)

    def test_value_follows_the_quotation(self):
        debrief = self._debrief_form(self.event, order=self.order)
        self.order.order_line[0].price_unit = 8000
        self.assertEqual(debrief.amount_untaxed, 9500)
        self.order.action_confirm()
        self.assertEqual(debrief.sale_order_state, "sale")

    def test_value_cannot_disagree_with_the_quotation(self):
        debrief = self._debrief_form(self.event, order=self.order)
        with self.assertRefused(ValidationError, "comes from the quotation"):
            debrief.with_user(self.coordinator).amount_untaxed = 12000
        self.assertEqual(debrief.amount_untaxed, 10500)

    def test_without_quotation_the_typed_value_stays(self):
        debrief = self._debrief_form(
            self.event, product_interest="Boiler", amount_untaxed=4000
        )
        self.order.order_line[0].price_unit = 100
        with freeze_time(AFTER):
            debrief.with_user(self.coordinator).action_confirm()
        self.assertEqual(
            (debrief.product_interest, debrief.amount_untaxed), ("Boiler", 4000)
        )
        self.assertEqual(self.lead.expected_revenue, 4000)

    # Refusals

    def test_quotation_of_another_customer_is_refused(self):
        order = self._quotation(partner=self.other_customer)
        with self.assertRefused(ValidationError, "is for Oscar Other"):
            self._debrief_form(self.event, order=order)
        self.assertFalse(self.event.debrief_ids)

    def test_quotation_of_another_company_is_refused(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_2.id,
                "order_line": [Command.create({"product_id": self.heat_pump.id})],
            }
        )
        with self.assertRefused(ValidationError, "belongs to Other Company"):
            self._debrief_form(self.event, order=order)
        self.assertFalse(self.event.debrief_ids)

    def test_quotation_of_another_opportunity_is_refused(self):
        other_lead = self.lead.copy({"name": "Second opportunity"})
        order = self._quotation(lead=other_lead)
        with self.assertRefused(ValidationError, "is not one of the opportunity"):
            self._debrief_form(self.event, order=order)

    def test_customer_contact_quotation_is_accepted(self):
        # A quotation addressed to a person of the customer is theirs.
        company = self.env["res.partner"].create(
            {"name": "Carla's Bakery", "is_company": True}
        )
        self.customer.parent_id = company
        contact = self.env["res.partner"].create(
            {"name": "Bob of the Bakery", "parent_id": company.id}
        )
        order = self._quotation(partner=contact)
        debrief = self._debrief_form(self.event, order=order)
        self.assertEqual(debrief.sale_order_id, order)

    # Roles

    def test_coordinator_sees_and_links_the_advisors_quotations(self):
        def sees(user):
            return self.order in self.env["sale.order"].with_user(user).search([])

        self.assertTrue(sees(self.coordinator))
        self.assertTrue(sees(self.backup_coordinator))
        self.assertTrue(sees(self.manager))
        self.assertFalse(sees(self.other_coordinator))
        self.assertFalse(sees(self.coordinator_c2))
        self.assertFalse(sees(self.salesman))

    def test_coordinator_of_other_advisors_cannot_read_the_quotation(self):
        with self.assertRaises(AccessError):
            self.order.with_user(self.other_coordinator).read(["amount_untaxed"])

    def test_advisor_cannot_link_a_quotation(self):
        debrief = self._debrief_form(self.event)
        with self.assertRaises(AccessError):
            debrief.with_user(self.advisor).sale_order_id = self.order
        self.assertFalse(debrief.sale_order_id)

    def test_only_a_manager_changes_the_quotation_of_a_confirmed_debrief(self):
        debrief = self._debrief_form(self.event)
        with freeze_time(AFTER):
            debrief.with_user(self.coordinator).action_confirm()
        with self.assertRefused(UserError, "only a manager may change the quotation"):
            debrief.with_user(self.coordinator).sale_order_id = self.order
        debrief.with_user(self.manager).sale_order_id = self.order
        self.assertEqual(debrief.amount_untaxed, 10500)

    # New Quotation

    def test_new_quotation_opens_sales_form_for_customer_and_opportunity(self):
        debrief = self._debrief_form(self.event)
        action = debrief.with_user(self.coordinator).action_new_quotation()
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(action["context"]["default_opportunity_id"], self.lead.id)
        self.assertEqual(action["domain"], [("opportunity_id", "=", self.lead.id)])
        with Form(
            self.env["sale.order"]
            .with_user(self.coordinator)
            .with_context(**action["context"])
        ) as form:
            with form.order_line.new() as line:
                line.product_id = self.heat_pump
        order = form.record
        self.assertEqual(order.opportunity_id, self.lead)
        self.assertEqual(order.partner_id, self.customer)
        # The quotation the coordinator just made is one the debrief takes.
        debrief.with_user(self.coordinator).sale_order_id = order
        self.assertEqual(debrief.amount_untaxed, 9000)

    def test_new_quotation_without_customer_asks_for_one(self):
        lead = self.lead_unassigned
        lead.user_id = self.advisor
        event = self._book(lead=lead, start=self.start - timedelta(days=3))
        debrief = self._debrief_form(event)
        action = debrief.with_user(self.coordinator).action_new_quotation()
        self.assertEqual(action["res_model"], "crm.quotation.partner")
        # sale_crm's wizard takes the lead (not the debrief) and goes on to the
        # quotation for the customer it creates.
        wizard = Form(
            self.env["crm.quotation.partner"]
            .with_user(self.coordinator)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard.lead_id, lead)
        wizard.action = "create"
        quotation = wizard.save().action_apply()
        self.assertEqual(quotation["res_model"], "sale.order")
        self.assertEqual(quotation["context"]["default_opportunity_id"], lead.id)
        self.assertTrue(lead.partner_id)
