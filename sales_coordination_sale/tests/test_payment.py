from odoo.tests import tagged

from odoo.addons.account_payment.tests.common import AccountPaymentCommon

from .common import SalesCoordinationSaleCommon


@tagged("post_install", "-at_install")
class TestPaidOnline(AccountPaymentCommon, SalesCoordinationSaleCommon):
    """The customer pays the quotation online: payment's own post-processing
    confirms the order, which ends the loop as a signature does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._quotation()
        cls.order.action_quotation_sent()
        cls.currency = cls.order.currency_id
        cls.partner = cls.customer
        cls.amount = cls.order.amount_total

    def test_paid_online_wins_and_ends_the_calls(self):
        quote_call = self._open_followups(kind="quote")
        self.assertEqual(len(quote_call), 1)
        tx = self._create_transaction(
            flow="redirect", sale_order_ids=[self.order.id], state="done"
        )
        tx._post_process()
        self.assertEqual(self.order.state, "sale")
        self.assertTrue(self.lead.stage_id.is_won)
        self.assertEqual(self.lead.expected_revenue, 10500)
        self.assertEqual(quote_call.state, "cancelled")
        self.assertEqual(len(self._open_followups(kind="happy_call")), 1)
        self.assertLogged(
            self.lead,
            f"Quotation {self.order.name} confirmed by the customer, on the portal",
        )

    def test_partial_payment_confirms_nothing(self):
        quote_call = self._open_followups(kind="quote")
        tx = self._create_transaction(
            flow="redirect",
            sale_order_ids=[self.order.id],
            state="done",
            amount=self.amount / 10,
        )
        tx._post_process()
        self.assertEqual(self.order.state, "sent")
        self.assertEqual(quote_call.state, "queued")
        self.assertFalse(self.lead.stage_id.is_won)
