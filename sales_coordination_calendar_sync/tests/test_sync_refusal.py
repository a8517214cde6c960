from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon

LOGGER = "odoo.addons.sales_coordination_calendar_sync.models.calendar_event"


@tagged("post_install", "-at_install")
class TestSyncRefusal(SalesCoordinationCommon):
    """What any provider's sync gets when it brings back a change to a sales
    appointment, whichever provider it is (the bridges test their own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = cls._book(user=cls.coordinator)

    def _synced(self, vals, push_back=None):
        """``vals`` written by the advisor's sync (as the cron runs it)."""
        event = self.event.with_user(self.advisor).sudo()
        return event._sales_sync_write(vals, push_back or {"location": "again"})

    def _refusal(self):
        kind = self.env.ref(
            "sales_coordination_calendar_sync.mail_activity_type_calendar_refused"
        )
        return self.lead.activity_ids.filtered(lambda a: a.activity_type_id == kind)

    def test_move_told_in_the_coordinators_time_zone(self):
        self.coordinator.tz = "Europe/Brussels"
        tuesday_2pm_utc = self.start + timedelta(days=1, hours=5)
        refused = self._synced(
            {"start": tuesday_2pm_utc, "stop": tuesday_2pm_utc + timedelta(hours=1)}
        )
        self.assertEqual(refused, self.event)
        self.assertEqual(self.event.start, self.start)
        self.assertEqual(self.event.location, "again", "pushed back")
        summary = self._refusal().summary
        self.assertIn("moved it to Tuesday 4 March, 3:00", summary)
        self.assertIn(self.event.name, summary)

    def test_nothing_of_the_coordinators_changed(self):
        refused = self._synced(
            {"name": self.event.name, "start": self.event.start, "location": ""}
        )
        self.assertFalse(refused)
        self.assertFalse(self._refusal())
        self.assertFalse(self.event.location)

    def test_a_failure_is_logged_and_never_raised(self):
        """A change that cannot be handled (here a start that is no date)
        is logged; the coordinator's version is still sent back."""
        with self.assertLogs(LOGGER, level="ERROR"):
            refused = self._synced({"start": "not a date", "name": "Golf"})
        self.assertEqual(refused, self.event)
        self.assertEqual(self.event.name, f"Visit: {self.lead.name}")
        self.assertEqual(self.event.location, "again")
