from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .test_followup_claim import NOW, FollowupCommon

LOGGER = "odoo.addons.sales_coordination.tools.side_effect"
# The appointment of ``_book``: Monday 2031-03-03 09:00-10:30 UTC.
AFTER_VISIT = NOW + timedelta(hours=1)


@tagged("post_install", "-at_install")
class TestSideEffects(FollowupCommon):
    """A chatter line, an activity or an e-mail that cannot be written (here:
    the coordinator, imported without an e-mail address, is their author) is
    logged, and the coordinator's call, booking or debrief is done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coordinator.partner_id.email = False
        cls.lead.team_id.user_id = cls.manager

    def _log(self, followup, *args, at=NOW, **kwargs):
        with freeze_time(at):
            return followup.with_user(self.coordinator).action_log_call(*args, **kwargs)

    def test_unanswered_call_that_escalates_is_logged(self):
        self.company.sales_max_attempts = 1
        followup = self._followup()
        self.assertEqual(self._claim(self.coordinator), followup)
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self.assertTrue(self._log(followup, "no_answer"))
        self.assertIn("escalation", logs.output[0])
        self.assertIn("sender's email address", logs.output[0])
        self.assertEqual(followup.state, "queued")
        self.assertEqual(followup.attempt_count, 1)
        self.assertTrue(followup.escalated)
        self.assertEqual(followup.call_ids.result, "no_answer")
        self.assertEqual(followup.call_ids.user_id, self.coordinator)

    def test_wrong_number_is_logged(self):
        followup = self._followup()
        self.assertEqual(self._claim(self.coordinator), followup)
        with self.assertLogs(LOGGER, "WARNING"):
            self._log(followup, "wrong_number")
        self.assertEqual(followup.state, "cancelled")
        self.assertTrue(self.lead.sales_wrong_number)
        self.assertEqual(followup.call_ids.result, "wrong_number")

    def test_booking_is_done(self):
        # crm's chatter line of the new meeting is posted as the coordinator.
        with self.assertLogs(LOGGER, "WARNING") as logs:
            event = self._book(user=self.coordinator)
        self.assertIn("appointment's chatter line", logs.output[0])
        self.assertEqual(event.opportunity_id, self.lead)
        self.assertEqual(event.booked_by_id, self.coordinator)

    def test_no_show_and_debrief_are_recorded(self):
        with self.assertLogs(LOGGER, "WARNING"):
            event = self._book(user=self.coordinator)
        with freeze_time(AFTER_VISIT), self.assertLogs(LOGGER, "WARNING"):
            event.with_user(self.coordinator).action_mark_no_show()
        self.assertTrue(event.is_no_show)
        self.assertIn("reset", self.lead.followup_ids.mapped("kind"))

        with self.assertLogs(LOGGER, "WARNING"):
            visit = self._book(user=self.coordinator, start=NOW + timedelta(days=1))
        with freeze_time(visit.stop + timedelta(hours=1)):
            with Form(
                self.env["sales.debrief"]
                .with_user(self.coordinator)
                .with_context(default_event_id=visit.id)
            ) as form:
                form.product_interest = "Heat pump 12 kW"
                form.amount_untaxed = 12000
                form.probability = 60
                form.outcome = "won"
            debrief = form.record
            with self.assertLogs(LOGGER, "WARNING"):
                debrief.with_user(self.coordinator).action_confirm()
        self.assertEqual(debrief.state, "done")
        self.assertEqual(visit.debrief_state, "done")
        self.assertTrue(self.lead.stage_id.is_won)

    def test_a_coordinator_with_an_address_writes_them(self):
        self.coordinator.partner_id.email = "cody@example.com"
        self.company.sales_max_attempts = 1
        followup = self._followup()
        self.assertEqual(self._claim(self.coordinator), followup)
        with self.assertNoLogs(LOGGER, "WARNING"):
            self._log(followup, "no_answer")
        activity = self.lead.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertIn("1 calls", str(activity.note))
