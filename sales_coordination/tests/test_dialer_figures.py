"""The dialer's figures on the coordinator board and in the coordinator report,
on a fixed day of dials worked out by hand (docs/figures.md)."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import SalesCoordinationCommon

# A Thursday afternoon in March.
NOW = datetime(2031, 3, 20, 15, 0)
MORNING = datetime(2031, 3, 20, 9, 0)


@tagged("post_install", "-at_install")
class TestDialerFigures(SalesCoordinationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Call = cls.env["sales.call"]
        cls.company.sales_dialer_connect_target = 12.0
        # The coordinator's morning: six dials two minutes apart (five in
        # dialer time, 10 min), a 30-minute break that ends the session, two
        # dials three minutes apart (one in dialer time, 3 min). Two people
        # answer (one talks for 90 s, one for 30 s), two machines (the message
        # dropped on one), nobody on the others.
        answers = [
            ("human", 90, False),
            ("machine", 25, True),
            (False, 0, False),
            ("human", 30, False),
            (False, 0, False),
            ("machine", 20, False),
            (False, 0, False),
            ("unknown", 75, False),
        ]
        minutes = [0, 2, 4, 6, 8, 10, 40, 43]
        cls._dials(
            cls.coordinator,
            [
                (MORNING + timedelta(minutes=minute), *answer)
                for minute, answer in zip(minutes, answers, strict=True)
            ],
        )
        # Last month's dial and a call dialled by hand: neither is this month's
        # dial.
        cls._dials(cls.coordinator, [(datetime(2031, 2, 27, 16), "human", 300, False)])
        cls.Call.create(
            {
                "user_id": cls.coordinator.id,
                "lead_id": cls.lead.id,
                "call_date": MORNING + timedelta(minutes=20),
                "result": "connected",
                "duration": 200,
            }
        )
        # The backup coordinator's three dials a minute apart: too few to say
        # anything per dial or per hour.
        cls._dials(
            cls.backup_coordinator,
            [
                (MORNING + timedelta(minutes=minute), "human", 120, False)
                for minute in range(3)
            ],
        )

    @classmethod
    def _dials(cls, user, rows):
        cls.Call._sales_create_workflow(
            [
                {
                    "user_id": user.id,
                    "lead_id": cls.lead.id,
                    "call_date": when,
                    "result": "voicemail" if answered_by == "machine" else False,
                    "answered_by": answered_by,
                    "duration": duration,
                    "dial_voicemail_dropped": dropped,
                    "dial_token": f"token-{user.id}-{when.isoformat()}",
                }
                for when, answered_by, duration, dropped in rows
            ]
        )

    def _board(self, user, viewer=None):
        self.env.invalidate_all()
        return (
            self.env["sales.coordinator.board"]
            .with_user(viewer or self.manager)
            .search([("user_id", "=", user.id), ("company_id", "=", self.company.id)])
        )

    @freeze_time(NOW)
    def test_board(self):
        row = self._board(self.coordinator)
        self.assertEqual(
            (
                row.dials_month,
                row.connects_month,
                row.conversations_month,
                row.voicemails_month,
            ),
            (8, 2, 1, 1),
        )
        self.assertAlmostEqual(row.dialer_hours_month, 13 / 60)
        self.assertTrue(row.has_dials_per_hour)
        self.assertAlmostEqual(row.dials_per_hour, 6 / (13 / 60))
        self.assertTrue(row.has_dial_connect_ratio)
        self.assertAlmostEqual(row.dial_connect_ratio, 2 / 8)
        self.assertAlmostEqual(row.dial_connect_target, 0.12)
        # The coordinator reads the same on their own card.
        self.assertEqual(self._board(self.coordinator, self.coordinator), row)
        self.assertEqual(self._board(self.coordinator, self.coordinator).dials_month, 8)
        # All calls still count as calls, the dials among them.
        self.assertEqual(row.calls_month, 9)

    @freeze_time(NOW)
    def test_board_says_nothing_over_too_few_dials(self):
        row = self._board(self.backup_coordinator)
        self.assertEqual((row.dials_month, row.connects_month), (3, 3))
        self.assertFalse(row.has_dial_connect_ratio)
        self.assertFalse(row.has_dials_per_hour)
        self.env.flush_all()
        board = self.env["sales.coordinator.board"]
        self.env.cr.execute(
            SQL(
                "SELECT dial_connect_ratio, dials_per_hour FROM (%s) board"
                " WHERE user_id = %s AND company_id = %s",
                board._table_query,
                self.backup_coordinator.id,
                self.company.id,
            )
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None), "empty, not 0 or 100%")

    @freeze_time(NOW)
    def test_next_month_starts_from_nothing(self):
        with freeze_time(datetime(2031, 4, 1, 8)):
            row = self._board(self.coordinator)
            self.assertEqual((row.dials_month, row.dialer_hours_month), (0, 0))
            self.assertFalse(row.has_dial_connect_ratio)

    def test_a_session_across_the_first_of_the_month(self):
        """Dials at 23:55 on the last day of a month and 00:05 on the first of
        the next: the board's month and the report's day both count the second
        dial in dialer time, 10 minutes after the first."""
        self._dials(
            self.other_coordinator,
            [
                (datetime(2031, 3, 31, 23, 55), False, 0, False),
                (datetime(2031, 4, 1, 0, 5), False, 0, False),
            ],
        )
        with freeze_time(datetime(2031, 4, 1, 8)):
            row = self._board(self.other_coordinator)
            self.assertEqual(row.dials_month, 1)
            self.assertAlmostEqual(row.dialer_hours_month, 10 / 60)
        [day] = self.env["sales.report.coordinator"].search(
            [("user_id", "=", self.other_coordinator.id), ("date", "=", "2031-04-01")]
        )
        self.assertEqual((day.dial_count, day.dialer_paced_count), (1, 1))
        self.assertAlmostEqual(day.dialer_hours, 10 / 60)

    def test_report(self):
        Report = self.env["sales.report.coordinator"]
        march = [("date", ">=", "2031-03-01"), ("date", "<", "2031-04-01")]
        [row] = Report.search([("user_id", "=", self.coordinator.id), *march])
        self.assertEqual(
            (
                row.call_count,
                row.dial_count,
                row.connect_count,
                row.conversation_count,
                row.voicemail_drop_count,
                row.dialer_paced_count,
            ),
            (9, 8, 2, 1, 1, 6),
        )
        self.assertAlmostEqual(row.dialer_hours, 13 / 60)
        self.assertAlmostEqual(row.dials_per_hour, 6 / (13 / 60))
        self.assertAlmostEqual(row.dial_connect_ratio, 0.25)
        self.assertAlmostEqual(row.dial_connect_target, 0.12)
        # Grouped, each ratio is the ratio of the sums; under five dials, empty.
        groups = {
            user: rest
            for user, *rest in Report._read_group(
                march,
                ["user_id"],
                ["dial_count:sum", "dial_connect_ratio:sum", "dials_per_hour:sum"],
            )
        }
        dials, ratio, per_hour = groups[self.coordinator]
        self.assertEqual(dials, 8)
        self.assertAlmostEqual(ratio, 0.25)
        self.assertAlmostEqual(per_hour, 6 / (13 / 60))
        self.assertEqual(groups[self.backup_coordinator][0], 3)
        self.assertFalse(groups[self.backup_coordinator][1])
        self.assertFalse(groups[self.backup_coordinator][2])
        # Over both coordinators: 11 dials, 5 connects; the backup's three
        # dials a minute apart add 2 dials and 2 minutes of dialer time.
        [(total, ratio, per_hour)] = Report._read_group(
            march,
            [],
            ["dial_count:sum", "dial_connect_ratio:sum", "dials_per_hour:sum"],
        )
        self.assertEqual(total, 11)
        self.assertAlmostEqual(ratio, 5 / 11)
        self.assertAlmostEqual(per_hour, 8 / (15 / 60))
        # A coordinator reads their own days only.
        mine = Report.with_user(self.coordinator).search(march)
        self.assertEqual(mine.user_id, self.coordinator)

    def test_connect_target_is_a_share(self):
        for wrong in (-1, 101):
            with self.subTest(wrong), self.assertRaises(ValidationError):
                self.company.sales_dialer_connect_target = wrong
        self.assertEqual(
            self.env["res.company"].create({"name": "New"}).sales_dialer_connect_target,
            12,
        )
