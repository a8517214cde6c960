from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from .test_followup_claim import FollowupCommon


@tagged("post_install", "-at_install")
class TestWindowsAsAgreed(FollowupCommon):
    """A window reads as the customer agreed it: a day and its parts, in the
    coordinator's time zone; a time only where it starts or ends inside a part."""

    def _label(self, start, end, tz="UTC"):
        return self.company.with_context(tz=tz)._sales_describe_window(
            start, end, tz=tz
        )

    def test_each_part_of_a_day(self):
        day = (2031, 3, 4)  # a Tuesday
        cases = {
            (8, 12): "Tue 4 Mar, morning",
            (12, 17): "Tue 4 Mar, afternoon",
            (17, 20): "Tue 4 Mar, evening",
            (8, 17): "Tue 4 Mar, morning or afternoon",
            (8, 20): "Tue 4 Mar, all day",
            (10, 20): "Tue 4 Mar, after 10:00",
            (6, 15): "Tue 4 Mar, before 15:00",
            (10, 11): "Tue 4 Mar, 10:00-11:00",
            (21, 23): "Tue 4 Mar, 21:00-23:00",
        }
        for (start, end), label in cases.items():
            with self.subTest(start=start, end=end):
                self.assertEqual(
                    self._label(datetime(*day, start), datetime(*day, end)), label
                )

    def test_over_two_days_and_more(self):
        self.assertEqual(
            self._label(datetime(2031, 3, 3, 17, 30), datetime(2031, 3, 4, 12)),
            "Mon 3 Mar, after 17:30 or Tue 4 Mar, morning",
        )
        self.assertEqual(
            self._label(datetime(2031, 3, 3, 17), datetime(2031, 3, 4, 12)),
            "Mon 3 Mar, evening or Tue 4 Mar, morning",
        )
        # The night between does not count as a day.
        self.assertEqual(
            self._label(datetime(2031, 3, 3, 21), datetime(2031, 3, 4, 12)),
            "Tue 4 Mar, morning",
        )
        self.assertEqual(
            self._label(datetime(2031, 3, 3, 9), datetime(2031, 3, 6, 9)),
            "Mon 3 Mar to Thu 6 Mar",
        )

    def test_in_the_coordinators_time_zone_across_a_change_of_time(self):
        # Brussels is UTC+1 until the last Sunday of March 2031 (the 30th), then +2.
        tz = "Europe/Brussels"
        self.assertEqual(
            self._label(datetime(2031, 3, 28, 7), datetime(2031, 3, 28, 11), tz),
            "Fri 28 Mar, morning",
        )
        self.assertEqual(
            self._label(datetime(2031, 3, 31, 6), datetime(2031, 3, 31, 10), tz),
            "Mon 31 Mar, morning",
        )
        # The same UTC hours a week apart read differently, as the clocks do.
        self.assertEqual(
            self._label(datetime(2031, 3, 24, 6), datetime(2031, 3, 24, 10), tz),
            "Mon 24 Mar, before 11:00",
        )

    def test_the_parts_of_the_day_are_the_companys(self):
        self.company.write({"sales_morning_start": 7, "sales_afternoon_start": 11})
        self.assertEqual(
            self._label(datetime(2031, 3, 4, 7), datetime(2031, 3, 4, 11)),
            "Tue 4 Mar, morning",
        )

    def test_queue_call_screen_and_debrief_show_it(self):
        followup = self._followup(
            kind="callback", start=datetime(2031, 3, 4, 12), hours=5
        )
        self.coordinator.tz = "UTC"
        as_coordinator = followup.with_user(self.coordinator)
        self.assertEqual(as_coordinator.window_label, "Tue 4 Mar, afternoon")
        screen = (
            self.env["sales.call.outcome"]
            .with_user(self.coordinator)
            .new({"followup_id": followup.id})
        )
        self.assertEqual(screen.window_label, "Tue 4 Mar, afternoon")
        self.coordinator.tz = "America/New_York"
        as_coordinator.invalidate_recordset(["window_label"])
        # 12:00-17:00 UTC is 07:00-12:00 there: before the morning starts, then
        # the morning.
        self.assertEqual(
            as_coordinator.with_context(tz="America/New_York").window_label,
            "Tue 4 Mar, morning",
        )
        arch = self.Followup.with_user(self.coordinator).get_views([(False, "list")])[
            "views"
        ]["list"]["arch"]
        self.assertIn('name="window_label"', arch)

    def test_no_answer_keeps_the_part_of_the_day_at_any_hour(self):
        self._at_each_moment(self._check_no_answer_keeps_the_part_of_the_day)

    def _check_no_answer_keeps_the_part_of_the_day(self, now):
        """Called in the morning agreed for the coordinator's previous day, no
        answer: the next morning still ahead on the coordinator's clock, the
        night the clocks change included."""
        for tz in ("UTC", "Europe/Brussels", "America/Chicago"):
            with self.subTest(tz=tz):
                self.coordinator.tz = tz
                coordinator = self.coordinator.with_context(tz=tz)
                day = fields.Datetime.context_timestamp(coordinator, now).date()
                day -= timedelta(days=1)
                start, end = self.company._sales_daypart_window(day, "morning", tz)
                followup = self.Followup.create(
                    {
                        "lead_id": self.lead.id,
                        "kind": "callback",
                        "window_start": start,
                        "window_end": end,
                    }
                )
                self.assertEqual(
                    self.Followup.with_user(self.coordinator).claim_next(), followup
                )
                followup.with_user(self.coordinator).action_log_call("no_answer")
                while start <= now:
                    day += timedelta(days=1)
                    start, end = self.company._sales_daypart_window(day, "morning", tz)
                self.assertEqual(
                    (followup.window_start, followup.window_end), (start, end)
                )
                self.assertTrue(
                    followup.with_user(coordinator)
                    .with_context(tz=tz)
                    .window_label.endswith(", morning"),
                    followup.window_label,
                )
