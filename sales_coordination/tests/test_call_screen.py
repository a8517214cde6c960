from datetime import datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon
from .test_followup_claim import NOW, FollowupCommon

VISIT = datetime(2031, 3, 4, 9, 0)


@tagged("post_install", "-at_install")
class TestCallScreen(FollowupCommon):
    """The call screen a coordinator works 120 calls a day from."""

    def _confirmation(self):
        """The confirmation call of a visit tomorrow: due now."""
        with freeze_time(NOW):
            event = self._book(user=self.coordinator, start=VISIT)
        event.location = "12 Elm Street, Riverside 62702"
        return self.lead.followup_ids.filtered(lambda f: f.kind == "confirmation")

    def _screen(self, followup, choice="no_answer"):
        Outcome = self.env["sales.call.outcome"].with_user(self.coordinator)
        return Outcome.create({"followup_id": followup.id, "choice": choice})

    # Attempts

    def test_attempts_count_every_unanswered_call_of_the_history(self):
        """Each try since the customer was last reached is an attempt, however it
        was logged (the lead's own log, the telephone service, the call screen of
        an earlier call): what the screen's history shows."""
        Call = self.env["sales.call"].with_user(self.coordinator)
        with freeze_time(NOW - timedelta(days=3)):
            Call.create({"lead_id": self.lead.id, "result": "connected"})
        calls = self.env["sales.call"]
        for days, result in ((2, "no_answer"), (1, "voicemail")):
            with freeze_time(NOW - timedelta(days=days)):
                calls |= Call.create({"lead_id": self.lead.id, "result": result})
        with freeze_time(NOW - timedelta(hours=2)):
            # the customer calling us and missing us is not an attempt
            Call.create(
                {"lead_id": self.lead.id, "result": "no_answer", "direction": "in"}
            )
        followup = self._followup(kind="callback")
        self.assertEqual(followup.lead_attempt_count, 2)
        self.assertEqual(self._screen(followup).lead_attempt_count, 2)
        self.assertIn("2 unanswered", followup.priority_reason)
        # None of them was this follow-up's own.
        self.assertEqual(followup.attempt_count, 0)
        # A call that reached them after all, once corrected, ends the streak.
        calls[0].with_user(self.manager).write({"result": "connected"})
        self.assertEqual(followup.lead_attempt_count, 1)
        # The call screen adds its own.
        self._claim(self.coordinator)
        with freeze_time(NOW + timedelta(minutes=5)):
            followup.with_user(self.coordinator).action_log_call("no_answer")
        self.assertEqual(followup.lead_attempt_count, 2)
        self.assertEqual(followup.attempt_count, 1)
        self.assertIn("2 unanswered", followup.priority_reason)
        # Reached at last: none.
        with freeze_time(NOW + timedelta(hours=1)):
            Call.create({"lead_id": self.lead.id, "result": "connected"})
        self.assertEqual(followup.lead_attempt_count, 0)
        self.assertNotIn("unanswered", followup.priority_reason)

    def test_logging_a_call_writes_no_other_followup(self):
        """The lead's history is read when shown, never copied onto its
        follow-ups: a call logged on one of them, or on the lead, rewrites none of
        the others (the queue's upkeep updates them at the same moment, and two
        transactions writing the same rows in another order deadlock)."""
        followup = self._followup(kind="callback")
        sibling = self._followup(kind="quote", start=NOW + timedelta(days=1))
        self.env.flush_all()
        Followup = type(self.env["sales.followup"])
        write = Followup._write_multi
        written = set()

        def spy(records, vals_list):
            written.update(records.ids)
            return write(records, vals_list)

        self.assertEqual(self._claim(self.coordinator), followup)
        with patch.object(Followup, "_write_multi", spy), freeze_time(NOW):
            followup.with_user(self.coordinator).action_log_call("no_answer")
            self.env["sales.call"].with_user(self.coordinator).create(
                {"lead_id": self.lead.id, "result": "no_answer"}
            )
            self.env.flush_all()
        self.assertIn(followup.id, written, "the call logged is its follow-up's")
        self.assertNotIn(sibling.id, written)
        # Yet each shows the customer's streak as the history has it.
        self.assertEqual(sibling.lead_attempt_count, 2)
        self.assertEqual(followup.lead_attempt_count, 2)
        self.assertEqual((followup.attempt_count, sibling.attempt_count), (1, 0))

    def test_escalation_counts_the_customers_streak(self):
        """Tries logged on the lead count toward the escalation: the manager
        hears of a customer who does not answer, whichever call tried them."""
        self.company.sales_max_attempts = 3
        Call = self.env["sales.call"].with_user(self.coordinator)
        for hours in (3, 2):
            with freeze_time(NOW - timedelta(hours=hours)):
                Call.create({"lead_id": self.lead.id, "result": "no_answer"})
        followup = self._followup(kind="callback")
        self._claim(self.coordinator)
        with freeze_time(NOW):
            followup.with_user(self.coordinator).action_log_call("voicemail")
        self.assertTrue(followup.escalated)
        activity = self.lead.activity_ids.filtered(
            lambda a: a.summary == "Customer does not answer"
        )
        self.assertIn("3 calls", activity.note)

    def test_attempts_are_not_written_by_hand(self):
        followup = self._followup(kind="callback")
        for user in (self.coordinator, self.manager):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                followup.with_user(user).write({"attempt_count": 0})

    # Outcomes by kind

    def test_confirmation_offers_its_own_outcomes(self):
        screen = self._screen(self._confirmation())
        self.assertEqual(
            screen.allowed_choices.split(","),
            ["confirmed", "move", "cancel", "no_answer", "voicemail", "wrong_number"],
        )
        callback = self._screen(self._followup(kind="callback"))
        self.assertIn("won", callback.allowed_choices.split(","))

    def test_outcome_that_does_not_fit_the_kind_is_refused(self):
        confirmation = self._confirmation()
        self.assertEqual(self._claim(self.coordinator), confirmation)
        with freeze_time(NOW), self.assertRaisesRegex(UserError, "cannot end as"):
            confirmation.with_user(self.coordinator).action_log_call("connected", "won")
        screen = self._screen(confirmation)
        screen.choice = "won"
        with freeze_time(NOW), self.assertRaisesRegex(ValidationError, "not what"):
            screen.action_confirm()
        self.assertFalse(confirmation.call_ids)
        self.assertEqual(confirmation.state, "claimed")
        screen.choice = "confirmed"
        with freeze_time(NOW):
            screen.action_confirm()
        self.assertEqual(confirmation.state, "done")
        self.assertEqual(confirmation.call_ids.result, "connected")

    # What opens after logging

    def test_logging_opens_the_next_call_by_default(self):
        followup = self._followup(kind="callback")
        self._claim(self.coordinator)
        screen = self._screen(followup)
        screen.choice = "no_answer"
        with freeze_time(NOW):
            action = screen.action_confirm()
        self.assertEqual(action["tag"], "sales_coordination_after_call")
        self.assertEqual(
            action["params"]["next"],
            "sales_coordination.sales_followup_action_next_call",
        )
        # The coordinator's own setting, in their preferences.
        self.coordinator.with_user(self.coordinator).write(
            {"sales_next_call_after_log": False}
        )
        self._claim(self.coordinator, at=followup.window_start)
        screen = self._screen(followup)
        screen.choice = "no_answer"
        with freeze_time(followup.window_start):
            action = screen.action_confirm()
        self.assertEqual(action["params"], {})
        with self.assertRaises(AccessError):
            self.advisor.with_user(self.coordinator).write(
                {"sales_next_call_after_log": True}
            )

    # The queue's order

    def test_queue_lists_due_now_first(self):
        tomorrow = self._followup(kind="callback", start=NOW + timedelta(days=1))
        confirmation = self._confirmation()
        arch = etree.fromstring(
            self.env["sales.followup"].get_view(
                self.env.ref("sales_coordination.sales_followup_view_list").id
            )["arch"]
        )
        order = arch.get("default_order")
        with freeze_time(NOW):
            found = self.Followup.with_user(self.coordinator).search(
                [("id", "in", (tomorrow | confirmation).ids)], order=order
            )
        self.assertEqual(list(found), [confirmation, tomorrow])

    # The screen

    def test_screen_opens_on_who_and_why(self):
        arch = etree.fromstring(
            self.env["sales.call.outcome"].get_view(
                self.env.ref("sales_coordination.sales_call_outcome_view_form").id
            )["arch"]
        )
        names = [node.get("name") for node in arch.iter("field")]
        for name in ("partner_id", "phone", "priority_reason", "visit_start"):
            self.assertLess(names.index(name), names.index("choice"), name)
        recording = arch.xpath("//field[@name='recording_url']")[0]
        self.assertEqual(recording.get("invisible"), "not recording_url")
        screen = self._screen(self._confirmation())
        self.assertEqual(screen.visit_start, VISIT)
        self.assertEqual(screen.visit_location, "12 Elm Street, Riverside 62702")
        self.assertEqual(screen.advisor_id, self.advisor)


@tagged("post_install", "-at_install")
class TestCallScreenUi(SalesCoordinationCommon, HttpCase):
    """The coordinator's call screen at a coordinator's screen size."""

    browser_size = "1400x900"

    def test_call_screen_tour(self):
        now = datetime.now()
        today = datetime.combine(now.date(), time())
        self.lead.perceived_need = "Cold rooms upstairs"
        self.customer.phone = "+1 217 555 0142"
        # Ten tries this week, none answered, logged on the lead.
        tries = (
            self.env["sales.call"]
            .with_user(self.coordinator)
            .create(
                [
                    {
                        "lead_id": self.lead.id,
                        "result": "no_answer",
                        "call_date": now - timedelta(days=1, hours=hours),
                    }
                    for hours in range(10)
                ]
            )
        )
        # One of them through the telephone service, which recorded it.
        tries[3].sudo()._sales_write_workflow(
            {"recording_url": "https://calls.example.com/recording/3"}
        )
        # Due whenever the tour runs: since yesterday evening, all of today.
        callback = self.env["sales.followup"].create(
            {
                "lead_id": self.lead.id,
                "kind": "callback",
                "window_start": today - timedelta(hours=7),
                "window_end": today + timedelta(hours=20),
            }
        )
        visited = self.env["crm.lead"].create(
            {
                "name": "Visit to confirm for Dora",
                "type": "opportunity",
                "partner_id": self.env["res.partner"].create({"name": "Dora Door"}).id,
                "user_id": self.advisor.id,
                "source_id": self.source.id,
            }
        )
        event = self._book(lead=visited, start=self.start)
        event.location = "12 Elm Street, Riverside 62702"
        confirmation = visited.followup_ids.filtered(lambda f: f.kind == "confirmation")
        confirmation.sudo().write(
            {
                "window_start": today - timedelta(hours=7),
                "window_end": today + timedelta(hours=20),
            }
        )
        self.start_tour(
            "/odoo", "sales_coordination_call_screen", login="sc_coordinator"
        )
        self.assertEqual(callback.call_ids.result, "no_answer")
        self.assertEqual(len(callback.call_ids), 1)
        self.assertEqual(callback.attempt_count, 1)
        self.assertEqual(callback.lead_attempt_count, 11)
        self.assertEqual(callback.state, "queued")
        self.assertEqual(confirmation.state, "claimed")
        self.assertEqual(confirmation.claimed_by_id, self.coordinator)
