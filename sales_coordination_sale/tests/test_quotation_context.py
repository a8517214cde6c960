from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user, tagged

from .test_ui import SalesPortalCommon


@tagged("post_install", "-at_install")
class TestQuotationContext(SalesPortalCommon):
    """Only Sales' real sending of a quotation restarts its follow-up: the
    context a client sends with a chatter post is no instruction to the queue."""

    def setUp(self):
        super().setUp()
        # The coordinator is on the quote call when the customer writes.
        due = self.quote_call.window_start + timedelta(hours=1)
        with freeze_time(due):
            claimed = (
                self.env["sales.followup"].with_user(self.coordinator).claim_next()
            )
        self.assertEqual(claimed, self.quote_call)
        self.window = (self.quote_call.window_start, self.quote_call.window_end)

    def _post_on_the_portal(self, **kwargs):
        """The chatter of the quotation's portal page, with Sale's sending key
        added to the context, as any client may."""
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "sale.order",
                "thread_id": self.order.id,
                "post_data": {
                    "body": "Can you come on Friday instead?",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                "context": {"mark_so_as_sent": True},
                **kwargs,
            },
        )

    def assertCallUntouched(self):
        self.env.invalidate_all()
        self.assertEqual(self.quote_call.state, "claimed")
        self.assertEqual(self.quote_call.claimed_by_id, self.coordinator)
        self.assertEqual(
            (self.quote_call.window_start, self.quote_call.window_end), self.window
        )
        self.assertFalse(
            self.lead.message_ids.filtered(
                lambda message: "sent again" in (message.body or "")
            )
        )

    def test_post_with_the_link_of_the_email_restarts_nothing(self):
        self.authenticate(None, None)
        self._post_on_the_portal(token=self.order._portal_ensure_token())
        self.assertIn(
            "Can you come on Friday instead?",
            self.order.message_ids.mapped("body")[0],
        )
        self.assertCallUntouched()

    def test_post_of_a_portal_user_restarts_nothing(self):
        portal = new_test_user(
            self.env,
            login="sc_carla",
            name="Carla Customer",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        self.authenticate(portal.login, portal.login)
        # The chatter of the portal's quotation page sends the page's token.
        self._post_on_the_portal(token=self.order._portal_ensure_token())
        self.assertCallUntouched()

    def test_salesman_note_with_the_key_restarts_nothing(self):
        self.authenticate(self.advisor.login, self.advisor.login)
        self._post_on_the_portal()
        self.assertCallUntouched()

    def test_send_by_email_still_restarts_the_window(self):
        """Sales' own sending step: the composer Send by Email opens."""
        now = fields.Datetime.now()
        action = self.order.with_user(self.coordinator).action_quotation_send()
        composer = (
            self.env[action["res_model"]]
            .with_user(self.coordinator)
            .with_context(**action["context"])
            .create({})
        )
        composer.action_send_mail()
        self.env.invalidate_all()
        self.assertEqual(self.quote_call.state, "queued")
        self.assertGreaterEqual(self.quote_call.quote_date, now)
