from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..tools import clock

ZONES = (
    "UTC",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/Paris",
    "Asia/Kolkata",
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
)
# Around the changes of the clocks (the US on 2031-03-09 and 2031-11-02,
# Europe on 2031-03-30), the turn of a month, a year and a week.
MOMENTS = (
    datetime(2031, 3, 9, 7, 30),
    datetime(2031, 3, 9, 8, 30),
    datetime(2031, 3, 10, 4, 59),
    datetime(2031, 3, 30, 0, 30),
    datetime(2031, 3, 30, 1, 30),
    datetime(2031, 3, 31, 23, 30),
    datetime(2031, 11, 2, 6, 30),
    datetime(2031, 12, 31, 22, 0),
    datetime(2032, 1, 1, 11, 0),
)


def python_start(unit, moment, zone, later=0):
    """What tools/clock.start_sql says, by zoneinfo: the UTC moment (naive)
    the unit holding ``moment`` began in ``zone``, ``later`` units later."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))
    day = local.date()
    if unit == "day":
        day += timedelta(days=later)
    elif unit == "week":
        day -= timedelta(days=day.weekday() - 7 * later)
    else:
        month = day.month - 1 + later
        day = day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)
    start = datetime.combine(day, time(), ZoneInfo(zone))
    return start.astimezone(timezone.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestClock(TransactionCase):
    """A person's day, week and month in SQL (the board, the reports) are
    Python's, in every time zone, across the changes of the clocks; and the
    bounds for the indexes hold in every time zone."""

    def _select(self, expressions):
        self.env.cr.execute(SQL("SELECT %s", SQL(", ").join(expressions)))
        return list(self.env.cr.fetchone())

    def test_starts_are_python_s(self):
        cases = [
            (unit, later, moment, zone)
            for unit, later in (
                ("day", 0),
                ("day", -1),
                ("week", 0),
                ("week", 1),
                ("month", 0),
            )
            for moment in MOMENTS
            for zone in ZONES
        ]
        shift = {
            ("day", -1): SQL("interval '-1 day'"),
            ("week", 1): SQL("interval '7 days'"),
        }
        got = self._select(
            clock.start_sql(
                unit,
                SQL("%s::timestamp", moment),
                SQL("%s", zone),
                shift.get((unit, later)),
            )
            for unit, later, moment, zone in cases
        )
        for (unit, later, moment, zone), sql in zip(cases, got, strict=True):
            with self.subTest(unit=unit, later=later, moment=moment, zone=zone):
                self.assertEqual(sql, python_start(unit, moment, zone, later))

    def test_local_date_is_python_s(self):
        cases = [(moment, zone) for moment in MOMENTS for zone in ZONES]
        got = self._select(
            clock.local_date_sql(SQL("%s::timestamp", moment), SQL("%s", zone))
            for moment, zone in cases
        )
        for (moment, zone), day in zip(cases, got, strict=True):
            local = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))
            self.assertEqual(day, local.date(), (moment, zone))

    def test_the_bounds_for_the_indexes_hold_in_every_time_zone(self):
        for moment in MOMENTS:
            now = SQL("%s::timestamp", moment)
            yesterday, week = SQL("interval '-1 day'"), SQL("interval '7 days'")
            earliest_yesterday, earliest_week, latest_week, earliest_month = (
                self._select(
                    (
                        clock.earliest_start_sql("day", now, yesterday),
                        clock.earliest_start_sql("week", now),
                        clock.latest_end_sql("week", now, week),
                        clock.earliest_start_sql("month", now),
                    )
                )
            )
            for zone in ZONES:
                with self.subTest(moment=moment, zone=zone):
                    self.assertLessEqual(
                        earliest_yesterday, python_start("day", moment, zone, -1)
                    )
                    self.assertLessEqual(
                        earliest_week, python_start("week", moment, zone)
                    )
                    self.assertGreaterEqual(
                        latest_week, python_start("week", moment, zone, 1)
                    )
                    self.assertLessEqual(
                        earliest_month, python_start("month", moment, zone)
                    )
