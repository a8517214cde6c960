from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.sales_coordination.models.sales_followup import OPEN_STATES

from .common import GoogleSyncCommon

# The loggers of the customer's reply and of the sync's answers (patched: the
# test run's log level hides their info lines from assertLogs).
REPLY_LOGGER = "odoo.addons.sales_coordination.models.calendar_attendee._logger"
SYNC_LOGGER = (
    "odoo.addons.sales_coordination_calendar_sync.models.calendar_attendee._logger"
)


@tagged("post_install", "-at_install")
class TestGoogleCustomerAnswer(GoogleSyncCommon):
    """The customer's answer in the advisor's Google copy of their appointment
    (they replied in Gmail, or Google reports no answer): recorded only as
    their reply through the invitation's link is, never written as it comes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Invited by e-mail, so in Google's copy of the appointment.
        cls.customer.email = "carla@example.com"

    def _replied(self, event, status):
        """Google's copy of ``event`` with the customer's responseStatus set to
        ``status``, as the organiser's calendar shows a guest's Gmail reply."""
        copy = self._google_copy(event)
        customer = next(
            attendee
            for attendee in copy["attendees"]
            if attendee["email"] == self.customer.email
        )
        customer["responseStatus"] = status
        return copy

    def _customer_attendee(self, event):
        return event.attendee_ids.filtered(lambda a: a.partner_id == self.customer)

    def _calls(self, event, kind):
        return self.env["sales.followup"].search(
            [
                ("event_id", "=", event.id),
                ("kind", "=", kind),
                ("state", "in", OPEN_STATES),
            ]
        )

    def _lead_says(self, fragment):
        return self.lead.message_ids.filtered(lambda m: fragment in (m.body or ""))

    def test_reply_in_gmail_goes_through_the_customers_answer(self):
        event = self._book_synced()
        confirmation = self._calls(event, "confirmation")
        self.assertEqual(len(confirmation), 1)
        self._sync(self._replied(event, "accepted"))
        self.assertEqual(self._customer_attendee(event).state, "accepted")
        self.assertEqual(event.customer_response, "accepted")
        self.assertEqual(confirmation.state, "done", "no confirmation call needed")
        message = self._lead_says("accepted the appointment")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.customer)
        self.assertFalse(self._refusals())

    def test_decline_in_gmail_queues_the_call_to_rebook(self):
        event = self._book_synced()
        self._sync(self._replied(event, "declined"))
        self.assertEqual(event.customer_response, "declined")
        self.assertEqual(len(self._calls(event, "reset")), 1)
        self.assertTrue(self._lead_says("declined the appointment"))
        self.assertTrue(event.active, "nothing is cancelled")

    def test_reply_after_the_visit_started_changes_nothing(self):
        event = self._book_synced()
        with (
            freeze_time(event.start + timedelta(minutes=30)),
            patch(REPLY_LOGGER) as logger,
        ):
            self._sync(self._replied(event, "declined"))
        self.assertIn("Ignored %s of calendar.event", logger.info.call_args[0][0])
        self.assertEqual(event.customer_response, "none")
        self.assertFalse(self._calls(event, "reset"))
        self.assertFalse(self._lead_says("declined the appointment"))

    def test_no_answer_in_google_keeps_the_customers_acceptance(self):
        """The customer accepted through the invitation's link; the advisor's
        copy then comes back with the customer as needing action (the advisor
        edited it, or Google lost the guest's answer)."""
        event = self._book_synced()
        with freeze_time(datetime(2031, 3, 1, 10, 0)):
            self._customer_attendee(event).sudo().do_accept()
        self.assertEqual(event.customer_response, "accepted")
        for status in ("needsAction", "tentative"):
            with self.subTest(status=status), patch(SYNC_LOGGER) as logger:
                self._sync(self._replied(event, status))
                self.assertEqual(logger.info.call_args[0][1:3], (status, event.id))
            self.assertEqual(self._customer_attendee(event).state, "accepted")
            self.assertEqual(event.customer_response, "accepted")

    def test_advisor_answering_for_the_customer_without_sudo_is_no_error(self):
        """The sync run with the advisor's own rights: the customer's reply is
        still recorded by its rules, and nothing is logged as an error."""
        event = self._book_synced()
        self._sync(self._replied(event, "accepted"), sudo=False)
        self.assertEqual(event.customer_response, "accepted")
        self.assertTrue(self._lead_says("accepted the appointment"))

    def test_advisors_own_answer_is_still_theirs(self):
        event = self._book_synced()
        copy = self._google_copy(event)
        for attendee in copy["attendees"]:
            if attendee["email"] == self.advisor.email:
                attendee["responseStatus"] = "declined"
        self._sync(copy)
        advisor = event.attendee_ids.filtered(
            lambda a: a.partner_id == self.advisor.partner_id
        )
        self.assertEqual(advisor.state, "declined")
        self.assertEqual(event.customer_response, "none")
