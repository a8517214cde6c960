import base64
from datetime import date, datetime, time, timedelta

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SalesCoordinationSaleCommon

# A 1x1 PNG: the signature the portal's pad would send.
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
    )
).decode()


class SalesPortalCommon(SalesCoordinationSaleCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_confirmation_sign = True
        cls.company.portal_confirmation_pay = False
        cls.order = cls._quotation(validity_date=date.today() + timedelta(days=30))
        cls.order.action_quotation_sent()
        cls.quote_call = cls.env["sales.followup"].search(
            [("lead_id", "=", cls.lead.id), ("kind", "=", "quote")]
        )

    def _accept(self, order, token=None, name="Carla Customer"):
        """The customer signs on the portal: the route the Sign button calls."""
        order._portal_ensure_token()
        return self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {
                "access_token": token if token is not None else order.access_token,
                "name": name,
                "signature": SIGNATURE,
            },
        )


@tagged("post_install", "-at_install")
class TestPortal(SalesPortalCommon):
    """The customer answers the quotation on Odoo's portal, through its real
    routes, logged in or with the link of the e-mail."""

    def test_signed_on_the_portal_wins_and_ends_the_calls(self):
        self.assertEqual(self.quote_call.state, "queued")
        self.authenticate(None, None)
        result = self._accept(self.order)
        self.assertNotIn("error", result)
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "sale")
        self.assertTrue(self.lead.stage_id.is_won)
        self.assertEqual(self.lead.expected_revenue, 10500)
        self.assertEqual(self.quote_call.state, "cancelled")
        happy = self.lead.followup_ids.filtered(
            lambda f: f.kind == "happy_call" and f.state == "queued"
        )
        self.assertEqual(len(happy), 1)
        message = self.lead.message_ids.filtered(
            lambda m: "confirmed by the customer, on the portal" in (m.body or "")
        )
        self.assertEqual(len(message), 1, self.lead.message_ids.mapped("body"))
        self.assertEqual(message.author_id, self.customer)

    def test_portal_user_signs_their_own_quotation(self):
        portal = new_test_user(
            self.env,
            login="sc_carla",
            name="Carla Customer",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        self.authenticate(portal.login, portal.login)
        result = self._accept(self.order, token="")
        self.assertNotIn("error", result)
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.quote_call.state, "cancelled")

    def test_forged_token_changes_nothing(self):
        self.authenticate(None, None)
        result = self._accept(self.order, token="not-the-token")
        self.assertEqual(result, {"error": "Invalid order."})
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "sent")
        self.assertEqual(self.quote_call.state, "queued")
        self.assertFalse(self.lead.stage_id.is_won)

    def test_expired_quotation_cannot_be_signed(self):
        self.order.validity_date = date.today() - timedelta(days=1)
        self.authenticate(None, None)
        result = self._accept(self.order)
        self.assertIn("error", result)
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "sent")
        self.assertEqual(self.quote_call.state, "queued")

    def test_declined_on_the_portal_queues_the_call_saying_so(self):
        self.authenticate(None, None)
        response = self.url_open(
            f"/my/orders/{self.order.id}/decline",
            data={
                "access_token": self.order._portal_ensure_token(),
                "decline_message": "Too expensive for now",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "cancel")
        self.assertEqual(self.quote_call.state, "queued")
        self.assertEqual(
            self.quote_call.note,
            f"The quote {self.order.name} was cancelled: call to renew or close.",
        )
        self.assertLessEqual(self.quote_call.window_start, datetime.now())
        self.assertTrue(self.lead.active)


@tagged("post_install", "-at_install")
class TestUi(SalesPortalCommon):
    """In the browser: the coordinator records the debrief from the quotation,
    the customer signs it on the portal, and the call leaves the queue."""

    def test_debrief_from_quotation_then_signed_on_the_portal_tour(self):
        today = datetime.combine(date.today(), time(9))
        event = self._book(start=today - timedelta(days=today.weekday() + 7))
        self.env["calendar.event"]._cron_debrief_states()
        self.customer.email = "carla@example.com"
        portal = new_test_user(
            self.env,
            login="sc_carla",
            name="Carla Customer",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        action = "action-sales_coordination.calendar_event_action_debrief_due"
        self.start_tour(
            f"/odoo/{action}/{event.id}",
            "sales_coordination_sale_debrief_quotation",
            login="sc_coordinator",
        )
        debrief = event.debrief_ids
        # New Quotation opened Sales' form; discarded, it left no quotation.
        self.assertEqual(self.lead.order_ids, self.order)
        self.assertEqual(debrief.state, "done")
        self.assertEqual(debrief.sale_order_id, self.order)
        self.assertEqual(debrief.amount_untaxed, 10500)
        self.assertEqual(debrief.product_interest, "Heat pump 12 kW")
        # One call: the quotation's, in the window the customer agreed to.
        self.assertEqual(debrief.followup_id, self.quote_call)
        self.assertEqual(self.quote_call.state, "queued")
        self.assertEqual(self.quote_call.window_start.hour, 17)

        self.start_tour(
            "/my/quotes", "sales_coordination_sale_portal_sign", login=portal.login
        )
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.quote_call.state, "cancelled")

        self.start_tour(
            "/odoo/follow-ups",
            "sales_coordination_sale_queue_without_quote",
            login="sc_coordinator",
        )
