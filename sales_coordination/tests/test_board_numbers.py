from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from ..report.sales_coordinator_board import MIN_RATIO_BASE
from ..tools import travel
from ..tools.travel import Place
from .common import SalesCoordinationCommon

# The advisor's home, and two customers north of it (the estimate: great circle
# x 1.3 at 40 km/h): a day there and back, through both.
HOME = Place(39.7817, -89.6501)
NORTH = Place(39.8717, -89.6501)
FURTHER = Place(39.9617, -89.6501)

# A Wednesday morning: the week's figures have a Monday behind them and days ahead.
WEDNESDAY = {"wednesday": datetime(2031, 3, 5, 10, 0)}


@tagged("post_install", "-at_install")
class TestBoardNumbers(SalesCoordinationCommon):
    """The board's ratios say nothing over too small a base, and its speed to
    lead counts from the lead's arrival to the first contact that answered it."""

    def _row(self, user=None):
        self.env.invalidate_all()
        return (
            self.env["sales.coordinator.board"]
            .with_user(user or self.manager)
            .search(
                [
                    ("user_id", "=", self.coordinator.id),
                    ("company_id", "=", self.company.id),
                ]
            )
        )

    def _sql_row(self, *columns):
        """``columns`` of the coordinator's row as the SQL view gives them
        (NULL as None, which the ORM reads as 0.0)."""
        self.env.flush_all()
        board = self.env["sales.coordinator.board"]
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM (%s) board WHERE user_id = %s AND company_id = %s",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                board._table_query,
                self.coordinator.id,
                self.company.id,
            )
        )
        return self.env.cr.fetchone()

    def _lead_calls(self, now, count):
        self.env["sales.call"].create(
            [
                {
                    "user_id": self.coordinator.id,
                    "lead_id": self.lead.id,
                    "call_date": now - timedelta(minutes=minutes + 1),
                    "direction": "in",
                    "result": "connected",
                }
                for minutes in range(count)
            ]
        )

    def test_booking_rate_over_a_tiny_base(self):
        self._at_each_moment(self._check_booking_rate, WEDNESDAY)

    def _check_booking_rate(self, now):
        # One answered lead call, three appointments set: no 300 %.
        self._lead_calls(now, 1)
        for day in (1, 2, 5):  # Thursday, Friday, Monday
            self._book(
                user=self.coordinator,
                start=now.replace(hour=9) + timedelta(days=day),
            )
        row = self._row()
        self.assertEqual((row.lead_calls_week, row.appointments_set_week), (1, 3))
        self.assertFalse(row.has_booking_rate)
        self.assertFalse(row.booking_rate)
        self.assertEqual(self._sql_row("booking_rate"), (None,))
        # As many answered lead calls as the base asks: a ratio, three of five.
        self._lead_calls(now - timedelta(minutes=10), MIN_RATIO_BASE - 1)
        row = self._row()
        self.assertEqual(row.lead_calls_week, MIN_RATIO_BASE)
        self.assertTrue(row.has_booking_rate)
        self.assertAlmostEqual(row.booking_rate, 3 / MIN_RATIO_BASE)
        # The coordinator reads the same as their manager.
        self.assertAlmostEqual(
            self._row(self.coordinator).booking_rate, 3 / MIN_RATIO_BASE
        )

    def test_connection_ratio_over_a_tiny_base(self):
        self._at_each_moment(self._check_connection_ratio, WEDNESDAY)

    def _check_connection_ratio(self, now):
        self._lead_calls(now, 1)
        row = self._row()
        self.assertEqual((row.calls_month, row.connected_month), (1, 1))
        self.assertFalse(row.has_connection_ratio)
        self.assertEqual(self._sql_row("connection_ratio"), (None,))
        self.env["sales.call"].create(
            [
                {
                    "user_id": self.coordinator.id,
                    "lead_id": self.lead.id,
                    "call_date": now - timedelta(hours=1),
                    "direction": "out",
                    "result": "no_answer",
                }
            ]
            * (MIN_RATIO_BASE - 1)
        )
        row = self._row()
        self.assertTrue(row.has_connection_ratio)
        self.assertAlmostEqual(row.connection_ratio, 1 / MIN_RATIO_BASE)

    def test_speed_to_lead_counts_from_the_arrival(self):
        self._at_each_moment(self._check_speed_to_lead, WEDNESDAY)

    def _check_speed_to_lead(self, now):
        lead = self.env["crm.lead"].create(
            {
                "name": "Web form",
                "type": "opportunity",
                "user_id": self.advisor.id,
                "source_id": self.source.id,
            }
        )
        self.assertEqual(lead.arrival_date, now)
        Call = self.env["sales.call"]
        # Calls logged on it from before it arrived (the hour before, as a
        # lead entered late or merged into carries) answered no lead: the last
        # contact, never the first, and no speed of 00:00 on the board.
        Call.create(
            {
                "user_id": self.coordinator.id,
                "lead_id": lead.id,
                "call_date": now - timedelta(hours=1),
                "direction": "out",
                "result": "connected",
            }
        )
        self.assertFalse(lead.first_contact_date)
        self.assertEqual(lead.last_contact_date, now - timedelta(hours=1))
        row = self._row()
        self.assertEqual(row.speed_to_lead_count, 0)
        self.assertEqual(self._sql_row("speed_to_lead_hours"), (None,))
        # Two tries logged at once after it arrived: the first of them counts
        # (an unanswered try is a contact tried).
        Call.create(
            [
                {
                    "user_id": self.coordinator.id,
                    "lead_id": lead.id,
                    "call_date": now + timedelta(minutes=minutes),
                    "direction": "out",
                    "result": "no_answer",
                }
                for minutes in (50, 30)
            ]
        )
        self.assertEqual(lead.first_contact_date, now + timedelta(minutes=30))
        self.assertEqual(lead.last_contact_date, now + timedelta(minutes=50))
        self.assertAlmostEqual(lead.response_hours, 0.5)
        row = self._row()
        self.assertEqual(row.speed_to_lead_count, 1)
        self.assertAlmostEqual(row.speed_to_lead_hours, 0.5)

    def test_speed_to_lead_of_an_answered_call_is_nothing(self):
        """00:00 when it is true: the lead arrived with a call we answered."""
        self._at_each_moment(self._check_answered_lead, WEDNESDAY)

    def _check_answered_lead(self, now):
        lead = self.env["crm.lead"].create(
            {"name": "Caller", "type": "opportunity", "user_id": self.advisor.id}
        )
        self.env["sales.call"].create(
            {
                "user_id": self.coordinator.id,
                "lead_id": lead.id,
                "call_date": now,
                "direction": "in",
                "result": "connected",
            }
        )
        row = self._row()
        self.assertEqual(row.speed_to_lead_count, 1)
        self.assertEqual(row.speed_to_lead_hours, 0.0)

    def test_call_under_way_at_the_arrival(self):
        """A call that started before the lead arrived and went on after it
        reached the customer then: 00:00, truly."""
        self._at_each_moment(self._check_call_under_way, WEDNESDAY)

    def _check_call_under_way(self, now):
        lead = self.env["crm.lead"].create(
            {"name": "Form mid-call", "type": "opportunity", "user_id": self.advisor.id}
        )
        self.env["sales.call"].create(
            {
                "user_id": self.coordinator.id,
                "lead_id": lead.id,
                "call_date": now - timedelta(minutes=2),
                "duration": 185,
                "direction": "in",
                "result": "connected",
            }
        )
        self.assertEqual(lead.first_contact_date, now - timedelta(minutes=2))
        row = self._row()
        self.assertEqual(row.speed_to_lead_count, 1)
        self.assertEqual(self._sql_row("speed_to_lead_hours"), (0.0,))


class WeekDriveCommon(SalesCoordinationCommon):
    @classmethod
    def _locate(cls, partner, place):
        partner.write(
            {"partner_latitude": place.latitude, "partner_longitude": place.longitude}
        )

    @classmethod
    def _visit(cls, advisor, place, start):
        partner = cls.env["res.partner"].create({"name": f"Customer at {start}"})
        cls._locate(partner, place)
        lead = cls.env["crm.lead"].create(
            {
                "name": f"Lead at {start}",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": advisor.id,
                "source_id": cls.source.id,
            }
        )
        return cls._book(advisor=advisor, lead=lead, start=start)

    @classmethod
    def _plan_week(cls, monday=datetime(2031, 3, 3)):
        """Ada's week of ``monday``: Monday home, north, further, home; Tuesday
        home, north, home. The expected minutes of that week."""
        cls._locate(cls.advisor.partner_id, HOME)
        cls._visit(cls.advisor, NORTH, monday + timedelta(hours=9))
        cls._visit(cls.advisor, FURTHER, monday + timedelta(hours=13))
        cls._visit(cls.advisor, NORTH, monday + timedelta(days=1, hours=9))
        # Abe's visit is his own week's driving, not Ada's.
        cls._visit(cls.advisor_2, FURTHER, monday + timedelta(hours=9))
        drive = travel.travel_minutes
        return round(
            drive(HOME, NORTH, 40)
            + drive(NORTH, FURTHER, 40)
            + drive(FURTHER, HOME, 40)
            + drive(HOME, NORTH, 40)
            + drive(NORTH, HOME, 40)
        )


@tagged("post_install", "-at_install")
class TestWeekDrive(WeekDriveCommon):
    """The advisors' board (Advisor Performance) gives each advisor's week its
    planned driving, as My Day measures each of its days."""

    def _row(self, user, advisor):
        return (
            self.env["sales.report.advisor"]
            .with_user(user)
            .search(
                [
                    ("advisor_id", "=", advisor.id),
                    ("week_start", "=", "2031-03-03"),
                ]
            )
        )

    def test_week_drive_per_advisor(self):
        expected = self._plan_week()
        self.assertGreater(expected, 60)
        for user in (self.manager, self.coordinator, self.advisor):
            with self.subTest(user=user.login):
                row = self._row(user, self.advisor)
                self.assertEqual(len(row), 1)
                self.assertEqual(row.drive_minutes, expected)
        abe = self._row(self.manager, self.advisor_2)
        self.assertEqual(abe.drive_minutes, 0, "one visit, no home: no leg known")
        # Read together, each row has its own week.
        rows = (
            self.env["sales.report.advisor"]
            .with_user(self.manager)
            .search([("week_start", "=", "2031-03-03")])
        )
        self.assertEqual(
            {row.advisor_id: row.drive_minutes for row in rows},
            {self.advisor: expected, self.advisor_2: 0},
        )
        # Another advisor's row is not another advisor's to read; another
        # company's manager sees none of it.
        self.assertFalse(self._row(self.advisor_2, self.advisor))
        self.assertFalse(self._row(self.manager_c2, self.advisor))


@tagged("post_install", "-at_install")
class TestBoardNumbersUi(WeekDriveCommon, HttpCase):
    """The manager reads the numbers in a browser, at a coordinator's screen."""

    browser_size = "1400x900"

    def test_board_numbers_tour(self):
        # One answered lead call of Cody's this week, and an appointment he set:
        # a booking rate of 100 % before, "—" now.
        self.env["sales.call"].create(
            {
                "user_id": self.coordinator.id,
                "lead_id": self.lead.id,
                "direction": "in",
                "result": "connected",
            }
        )
        self._book(user=self.coordinator)
        # And Ada's planned week of driving, the week after, on the advisors' board.
        expected = self._plan_week(datetime(2031, 3, 10))
        self.assertEqual(expected, 117, "the figure the tour reads")
        self.start_tour("/odoo", "sales_coordination_board_numbers", login="sc_manager")
