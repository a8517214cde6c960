from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import AFTER, SalesCoordinationSaleCommon

# Tuesday 2031-03-04, 10:00 UTC: the day after the visit, the quotation goes out.
SENT = datetime(2031, 3, 4, 10, 0)


@tagged("post_install", "-at_install")
class TestQuotationLoop(SalesCoordinationSaleCommon):
    """Sending, confirming, cancelling or letting a quotation expire moves the
    follow-up loop by itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._quotation()

    def _send_by_email(self, order, user=None, when=SENT):
        """Sale's Send by Email, as the button opens it, as ``user`` (default:
        the coordinator)."""
        order = order.with_user(user or self.coordinator)
        with freeze_time(when):
            action = order.action_quotation_send()
            composer = Form(
                self.env[action["res_model"]]
                .with_user(user or self.coordinator)
                .with_context(**action["context"])
            ).save()
            composer.action_send_mail()

    def _mark_sent(self, order, user=None, when=SENT):
        with freeze_time(when):
            order.with_user(user or self.coordinator).action_quotation_sent()

    # Sent

    def test_sent_queues_the_quote_follow_up_in_the_company_window(self):
        self._send_by_email(self.order)
        self.assertEqual(self.order.state, "sent")
        followup = self._open_followups(kind="quote")
        self.assertEqual(len(followup), 1)
        # 2 days after, from the morning, to the evening two days later (UTC).
        self.assertEqual(followup.window_start, datetime(2031, 3, 6, 8, 0))
        self.assertEqual(followup.window_end, datetime(2031, 3, 8, 20, 0))
        self.assertEqual(followup.quote_date, SENT)
        self.assertEqual(followup.sale_order_id, self.order)
        self.assertEqual(followup.queue_coordinator_id, self.coordinator)
        self.assertLogged(self.lead, f"Quotation {self.order.name} sent")

    def test_company_delay_sets_the_window(self):
        self.company.sales_quote_followup_days = 3
        self.coordinator.tz = "Europe/Brussels"
        self._mark_sent(self.order)
        followup = self._open_followups(kind="quote")
        # Morning 08:00 in Brussels is 07:00 UTC in March (winter time).
        self.assertEqual(followup.window_start, datetime(2031, 3, 7, 7, 0))
        self.assertEqual(followup.window_end, datetime(2031, 3, 9, 19, 0))

    def test_resent_restarts_the_window_without_a_second_call(self):
        self._send_by_email(self.order)
        first = self._open_followups(kind="quote")
        later = SENT + timedelta(days=3)
        self._send_by_email(self.order, when=later)
        self.assertEqual(self._open_followups(kind="quote"), first)
        self.assertEqual(first.window_start, datetime(2031, 3, 9, 8, 0))
        self.assertEqual(first.window_end, datetime(2031, 3, 11, 20, 0))
        self.assertEqual(first.quote_date, later)
        self.assertLogged(self.lead, "sent again")

    def test_resent_while_claimed_returns_to_the_queue_with_the_new_window(self):
        self._mark_sent(self.order)
        followup = self._open_followups(kind="quote")
        Followup = self.env["sales.followup"]
        with freeze_time(datetime(2031, 3, 6, 9, 0)):
            claimed = Followup.with_user(self.coordinator).claim_next()
        self.assertEqual(claimed, followup)
        self._send_by_email(self.order, when=datetime(2031, 3, 6, 9, 5))
        followup.invalidate_recordset()
        self.assertEqual(followup.state, "queued")
        self.assertFalse(followup.claimed_by_id)
        self.assertEqual(followup.window_start, datetime(2031, 3, 8, 8, 0))

    def test_debrief_call_is_kept_when_the_quotation_is_sent(self):
        event = self._book()
        debrief = self._debrief_form(
            event,
            order=self.order,
            followup_date=date(2031, 3, 5),
            followup_daypart="evening",
        )
        with freeze_time(AFTER):
            debrief.with_user(self.coordinator).action_confirm()
        followup = debrief.followup_id
        self._mark_sent(self.order)
        self.assertEqual(self._open_followups(kind="quote"), followup)
        # As agreed with the customer in the debrief, not the company's window.
        self.assertEqual(followup.window_start, datetime(2031, 3, 5, 17, 0))
        self.assertEqual(followup.sale_order_id, self.order)
        # A new version afterwards restarts it.
        self._send_by_email(self.order, when=datetime(2031, 3, 5, 9, 0))
        self.assertEqual(self._open_followups(kind="quote"), followup)
        self.assertEqual(followup.window_start, datetime(2031, 3, 7, 8, 0))

    def test_debrief_after_the_quotation_was_sent_adds_no_second_call(self):
        self._mark_sent(self.order, when=datetime(2031, 3, 3, 10, 45))
        sent_call = self._open_followups(kind="quote")
        event = self._book()
        debrief = self._debrief_form(
            event,
            order=self.order,
            followup_date=date(2031, 3, 5),
            followup_daypart="evening",
        )
        with freeze_time(AFTER):
            debrief.with_user(self.coordinator).action_confirm()
        self.assertEqual(self._open_followups(kind="quote"), sent_call)
        self.assertEqual(debrief.followup_id, sent_call)
        self.assertEqual(sent_call.debrief_id, debrief)
        self.assertEqual(sent_call.window_start, datetime(2031, 3, 5, 17, 0))

    def test_advisor_sends_own_quotation_and_the_call_is_queued(self):
        # The advisor may not touch the queue, but their quotation going out
        # queues the coordinator's call.
        self._mark_sent(self.order, user=self.advisor)
        followup = self._open_followups(kind="quote")
        self.assertEqual(len(followup), 1)
        with self.assertRaises(AccessError):
            followup.with_user(self.advisor).write({"note": "mine"})

    def test_other_coordinator_cannot_send_the_quotation(self):
        with self.assertRaises(AccessError), freeze_time(SENT):
            self.order.with_user(self.other_coordinator).action_quotation_sent()
        self.assertEqual(self.order.state, "draft")
        self.assertFalse(self._open_followups(kind="quote"))

    def test_sent_quotation_of_a_lost_lead_queues_nothing(self):
        self.lead.action_set_lost()
        self._mark_sent(self.order)
        self.assertFalse(self._open_followups(kind="quote"))

    def test_quotation_without_opportunity_queues_nothing(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.heat_pump.id})],
            }
        )
        calls_before = self.env["sales.followup"].search_count([])
        self._mark_sent(order, user=self.manager)
        self.assertEqual(self.env["sales.followup"].search_count([]), calls_before)

    def test_other_company_call_goes_to_its_coordinator(self):
        order = self._quotation(lead=self.lead_c2)
        self._mark_sent(order, user=self.manager_c2)
        followup = self._open_followups(lead=self.lead_c2, kind="quote")
        self.assertEqual(followup.company_id, self.company_2)
        self.assertEqual(followup.queue_coordinator_id, self.coordinator_c2)
        with self.assertRaises(AccessError):
            order.with_user(self.coordinator).read(["name"])

    # Confirmed by a user

    def _queue_calls(self):
        self._mark_sent(self.order)
        callback = self.env["sales.followup"]._sales_queue(
            [
                {
                    "lead_id": self.lead.id,
                    "kind": "callback",
                    "window_start": SENT,
                    "window_end": SENT + timedelta(hours=4),
                    "note": "Call after 5",
                }
            ]
        )
        return self._open_followups(kind="quote") | callback

    def test_confirmed_by_a_user_wins_and_ends_every_call(self):
        calls = self._queue_calls()
        with freeze_time(datetime(2031, 3, 5, 14, 0)):
            self.order.with_user(self.advisor).action_confirm()
        self.assertEqual(self.order.state, "sale")
        self.assertTrue(self.lead.active)
        self.assertTrue(self.lead.stage_id.is_won)
        self.assertEqual(self.lead.expected_revenue, 10500)
        self.assertEqual(self.lead.probability, 100)
        self.assertEqual(set(calls.mapped("state")), {"cancelled"})
        self.assertIn(self.order.name, calls[0].note)
        # What the call said stays, under the reason it ended.
        self.assertEqual(
            calls[1].note,
            f"The customer confirmed {self.order.name}: no need to call about it."
            "\nCall after 5",
        )
        happy = self._open_followups(kind="happy_call")
        self.assertEqual(len(happy), 1)
        self.assertEqual(self._open_followups(), happy)
        # No delivery date: the company's 7 days after the confirmation.
        self.assertEqual(happy.window_start, datetime(2031, 3, 12, 8, 0))
        self.assertEqual(happy.window_end, datetime(2031, 3, 12, 20, 0))
        body = self.lead.message_ids.filtered(
            lambda message: "confirmed by" in message.body
        )[:1].body
        self.assertIn(f"{self.order.name} confirmed by Ada Advisor", body)

    def test_happy_call_after_the_delivery_date(self):
        self._queue_calls()
        self.order.commitment_date = datetime(2031, 3, 20, 13, 0)
        with freeze_time(datetime(2031, 3, 5, 14, 0)):
            self.order.with_user(self.manager).action_confirm()
        happy = self._open_followups(kind="happy_call")
        self.assertEqual(happy.window_start, datetime(2031, 3, 21, 8, 0))
        self.assertEqual(happy.window_end, datetime(2031, 3, 21, 20, 0))

    def test_claimed_call_is_released_and_its_coordinator_told(self):
        self._mark_sent(self.order)
        followup = self._open_followups(kind="quote")
        Followup = self.env["sales.followup"]
        with freeze_time(datetime(2031, 3, 6, 9, 0)):
            claimed = Followup.with_user(self.coordinator).claim_next()
            self.assertEqual(claimed, followup)
            followup.invalidate_recordset()
            self.order.with_user(self.advisor).action_confirm()
        self.assertEqual(followup.state, "cancelled")
        self.assertFalse(followup.claimed_by_id)
        self.assertFalse(followup.claim_expires_at)
        told = self.lead.message_ids.filtered(
            lambda message: self.coordinator.partner_id in message.partner_ids
        )
        self.assertEqual(len(told), 1)
        self.assertIn("the call you took is over", told.body)
        # The call screen refuses to log on an ended call.
        with self.assertRaises(UserError):
            followup.with_user(self.coordinator).action_log_call("no_answer")

    def test_confirming_a_lost_lead_reopens_and_wins_it(self):
        # The lead's name may be a caller's or a visitor's: text in the note.
        self.lead.name = "Carla <b>Customer</b>"
        self._mark_sent(self.order)
        self.lead.action_set_lost(lost_reason_id=self.env.ref("crm.lost_reason_1").id)
        self.assertFalse(self.lead.active)
        with freeze_time(datetime(2031, 3, 5, 14, 0)):
            self.order.with_user(self.manager).action_confirm()
        self.assertTrue(self.lead.active)
        self.assertTrue(self.lead.stage_id.is_won)
        self.assertFalse(self.lead.lost_reason_id)
        activity = self.lead.activity_ids.filtered(
            lambda act: act.summary == "A lost customer said yes"
        )
        self.assertEqual(activity.user_id, self.coordinator)
        self.assertNotIn("<b>", str(activity.note))
        self.assertLogged(self.lead, "was lost, but the customer confirmed")

    def test_confirming_after_a_won_debrief_moves_the_happy_call(self):
        self.lead.action_set_won()
        happy = self._open_followups(kind="happy_call")
        self.assertEqual(len(happy), 1)
        self.order.commitment_date = datetime(2031, 4, 1, 9, 0)
        with freeze_time(datetime(2031, 3, 5, 14, 0)):
            self.order.with_user(self.advisor).action_confirm()
        self.assertEqual(self._open_followups(kind="happy_call"), happy)
        self.assertEqual(happy.window_start, datetime(2031, 4, 2, 8, 0))
        self.assertEqual(self.lead.expected_revenue, 10500)

    def test_second_confirmed_order_adds_to_the_revenue(self):
        self.order.action_confirm()
        extra = self._quotation(lines=[(self.install, 1, 800.0)])
        extra.action_confirm()
        self.assertEqual(self.lead.expected_revenue, 11300)
        self.assertEqual(len(self._open_followups(kind="happy_call")), 1)

    def test_salesman_of_another_lead_cannot_confirm(self):
        with self.assertRaises(AccessError):
            self.order.with_user(self.salesman).action_confirm()
        self.assertEqual(self.order.state, "draft")
        self.assertFalse(self.lead.stage_id.is_won)

    # Cancelled

    def test_cancelled_quotation_queues_one_call_saying_so(self):
        self._mark_sent(self.order)
        followup = self._open_followups(kind="quote")
        cancel_at = datetime(2031, 3, 5, 15, 0)
        with freeze_time(cancel_at):
            action = self.order.with_user(self.coordinator).action_cancel()
            # Sale asks first (its cancel wizard) for a quotation already sent.
            wizard = Form(
                self.env[action["res_model"]]
                .with_user(self.coordinator)
                .with_context(**action["context"])
            ).save()
            wizard.action_cancel()
        self.assertEqual(self.order.state, "cancel")
        self.assertEqual(self._open_followups(kind="quote"), followup)
        self.assertEqual(followup.window_start, cancel_at)
        self.assertEqual(followup.window_end, datetime(2031, 3, 7, 20, 0))
        expected = f"The quote {self.order.name} was cancelled: call to renew or close."
        self.assertEqual(followup.note, expected)
        self.assertTrue(self.lead.active)
        self.assertFalse(self.lead.stage_id.is_won)
        self.assertLogged(self.lead, expected)

    def test_coordinator_note_outlives_a_cancel_and_a_new_send(self):
        self._mark_sent(self.order)
        followup = self._open_followups(kind="quote")
        followup.with_user(self.coordinator).note = "Compares with the neighbour's"
        with freeze_time(datetime(2031, 3, 5, 15, 0)):
            self.order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(
            followup.note,
            f"The quote {self.order.name} was cancelled: call to renew or close."
            "\nCompares with the neighbour's",
        )
        self.order.action_draft()
        self._mark_sent(self.order, when=datetime(2031, 3, 6, 9, 0))
        self.assertEqual(self._open_followups(kind="quote"), followup)
        self.assertEqual(followup.note, "Compares with the neighbour's")

    def test_cancelled_draft_queues_nothing(self):
        self.order.with_user(self.coordinator).action_cancel()
        self.assertEqual(self.order.state, "cancel")
        self.assertFalse(self._open_followups())

    # Expired

    def test_expired_quotation_queues_one_call_once(self):
        with freeze_time(SENT):
            self.order.validity_date = date(2031, 3, 20)
        self._mark_sent(self.order)
        Order = self.env["sale.order"]
        # Other quotations of the database may expire too: only this one counts.
        with freeze_time(datetime(2031, 3, 20, 23, 0)):
            self.assertNotIn(self.order, Order._cron_sales_quote_expired())
        with freeze_time(datetime(2031, 3, 21, 0, 30)):
            self.assertIn(self.order, Order._cron_sales_quote_expired())
            # Once.
            self.assertNotIn(self.order, Order._cron_sales_quote_expired())
        followup = self._open_followups(kind="quote")
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.window_start, datetime(2031, 3, 21, 0, 30))
        expected = (
            f"The quote {self.order.name} expired on 2031-03-20: "
            "call to renew or close."
        )
        self.assertEqual(followup.note, expected)
        self.assertTrue(self.lead.active)
        # A new validity date re-arms it; sending again restarts the call.
        with freeze_time(datetime(2031, 3, 21, 9, 0)):
            self.order.validity_date = date(2031, 4, 30)
        self._send_by_email(self.order, when=datetime(2031, 3, 21, 9, 0))
        self.assertEqual(self._open_followups(kind="quote"), followup)
        self.assertFalse(followup.note)
        self.assertEqual(followup.window_start, datetime(2031, 3, 23, 8, 0))

    def test_long_expired_quotation_queues_nothing(self):
        """A database full of quotations that expired long ago (the bridge
        installed on it, a scheduler stopped for weeks): only the recent ones
        get a call."""
        with freeze_time(SENT):
            self.order.validity_date = date(2031, 3, 20)
        self._mark_sent(self.order)
        Order = self.env["sale.order"]
        with freeze_time(datetime(2031, 4, 20, 9, 0)):
            self.assertNotIn(self.order, Order._cron_sales_quote_expired())
        self.assertFalse(self.order.sales_lapse_called)
        with freeze_time(datetime(2031, 3, 26, 9, 0)):
            self.assertIn(self.order, Order._cron_sales_quote_expired())
        self.assertTrue(self.order.sales_lapse_called)

    def test_expired_quotation_of_a_won_lead_queues_nothing(self):
        with freeze_time(SENT):
            self.order.validity_date = date(2031, 3, 20)
        self._mark_sent(self.order)
        self.lead.action_set_won()
        with freeze_time(datetime(2031, 3, 22, 9, 0)):
            self.env["sale.order"]._cron_sales_quote_expired()
        self.assertFalse(self._open_followups(kind="quote"))
        self.assertLogged(self.lead, "expired on 2031-03-20")

    def test_lapse_flag_moves_only_by_its_rule(self):
        for user in (self.advisor, self.coordinator, self.manager):
            with (
                self.subTest(user=user.login),
                self.assertRefused(UserError, "Only the record's own buttons"),
            ):
                self.order.with_user(user).write({"sales_lapse_called": True})
        with self.assertRefused(UserError, "Only the record's own buttons"):
            self.env["sale.order"].with_user(self.manager).create(
                {"partner_id": self.customer.id, "sales_lapse_called": True}
            )
        self.assertFalse(self.order.sales_lapse_called)

    def test_expiry_cron_is_scheduled(self):
        cron = self.env.ref("sales_coordination_sale.ir_cron_quote_expired")
        self.assertTrue(cron.active)
        self.assertEqual(cron.code, "model._cron_sales_quote_expired()")
