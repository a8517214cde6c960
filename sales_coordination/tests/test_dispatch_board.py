from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..tools.dispatch import visit_status
from .common import SalesCoordinationCommon

# Sunday evening before the cast's Monday (2031-03-03); the standard calendar
# works 8-12 and 13-17 (UTC), an appointment lasts 1.5 hours.
NOW = datetime(2031, 3, 2, 20, 0)
MONDAY = "2031-03-03"
MORNING = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]
AFTERNOON = ["13:00", "13:30", "14:00", "14:30", "15:00", "15:30"]


@tagged("post_install", "-at_install")
class TestDispatchBoard(SalesCoordinationCommon):
    """The dispatch board: the advisors a coordinator books, side by side, their
    visits, free slots and capacity left; booking from a free slot meets the
    booking wizard's checks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Scheduler = cls.env["sales.appointment.scheduler"]
        cls.customer.write({"city": "Springfield", "zip": "62701"})

    def _board(self, user=None, **kwargs):
        kwargs.setdefault("date", MONDAY)
        with freeze_time(NOW):
            return self.Scheduler.with_user(user or self.coordinator).dispatch_board(
                **kwargs
            )

    def _column(self, board, advisor):
        return next(c for c in board["columns"] if c["advisor_id"] == advisor.id)

    def _free(self, board, advisor, day=0):
        labels = [row["label"] for row in board["rows"]]
        cell = self._column(board, advisor)["days"][day]
        return [labels[slot["row"]] for slot in cell["free"]]

    def _book_from_board(self, user, lead, advisor, time):
        """Book ``lead`` into the board's row ``time`` of ``advisor``, as the
        board's dialog does (the row's start and stop, through book())."""
        board = self._board(user)
        row = next(r for r in board["rows"] if r["label"] == time)
        start = datetime.fromisoformat(row["start"])
        with freeze_time(NOW):
            return self.Scheduler.with_user(user).book(
                lead.id, advisor.id, start, start + timedelta(hours=1.5)
            )

    # Who sees which advisors

    def test_coordinator_sees_only_their_advisors(self):
        self._book()
        self._book(advisor=self.advisor_2, lead=self.lead_2)
        for user in (self.coordinator, self.backup_coordinator):
            board = self._board(user)
            self.assertEqual(
                [c["advisor_id"] for c in board["columns"]], self.advisor.ids
            )
            visits = board["columns"][0]["days"][0]["visits"]
            self.assertEqual([v["customer"] for v in visits], ["Carla Customer"])
        board = self._board(self.other_coordinator)
        self.assertEqual(
            [c["advisor_id"] for c in board["columns"]], self.advisor_2.ids
        )
        # Asking for another coordinator's advisor shows nothing of them.
        board = self._board(self.other_coordinator, advisor_ids=self.advisor.ids)
        self.assertEqual(board["columns"], [])

    def test_manager_sees_the_company_advisors(self):
        board = self._board(self.manager)
        ids = [c["advisor_id"] for c in board["columns"]]
        # (The database may hold demo advisors of the company too.)
        self.assertIn(self.advisor.id, ids)
        self.assertIn(self.advisor_2.id, ids)
        self.assertNotIn(self.advisor_c2.id, ids)

    def test_other_company_sees_nothing(self):
        self._book()
        for user in (self.coordinator_c2, self.manager_c2):
            board = self._board(user)
            self.assertEqual(
                [c["advisor_id"] for c in board["columns"]], self.advisor_c2.ids
            )
            self.assertEqual(board["columns"][0]["days"][0]["visits"], [])
            board = self._board(user, advisor_ids=self.advisor.ids)
            self.assertEqual(board["columns"], [])

    def test_advisor_is_refused(self):
        portal = self._new_user("sc_dispatch_portal", "base.group_portal")
        for user in (self.advisor, self.salesman, portal):
            with self.assertRaises(AccessError):
                self._board(user)

    def test_menu_for_coordinators_and_managers_only(self):
        menu = self.env.ref("sales_coordination.sales_dispatch_board_menu")
        Menu = self.env["ir.ui.menu"]
        for user, shown in (
            (self.coordinator, True),
            (self.manager, True),
            (self.advisor, False),
            (self.salesman, False),
        ):
            with self.subTest(user=user.login):
                visible = Menu.with_user(user)._visible_menu_ids()
                self.assertEqual(menu.id in visible, shown)

    # What a column shows

    def test_free_slots_and_capacity(self):
        board = self._board()
        self.assertEqual(board["date"], MONDAY)
        self.assertEqual(board["previous"], "2031-03-02")
        self.assertEqual(board["next"], "2031-03-04")
        # Rows from the working hours, half an hour each, in dayparts.
        labels = [row["label"] for row in board["rows"]]
        self.assertEqual(labels[0], "08:00")
        self.assertEqual(labels[-1], "16:30")
        self.assertEqual(board["rows"][0]["daypart"], "Morning")
        self.assertEqual(board["rows"][labels.index("13:00")]["daypart"], "Afternoon")
        self.assertEqual(self._free(board, self.advisor), MORNING + AFTERNOON)
        column = self._column(board, self.advisor)
        self.assertEqual(column["days"][0]["left"], 4)
        self.assertEqual(column["week_left"], 20)

        self._book()  # 09:00-10:30
        board = self._board()
        # The stop allowance (10 minutes) after the visit: the morning is gone.
        self.assertEqual(self._free(board, self.advisor), AFTERNOON)
        column = self._column(board, self.advisor)
        cell = column["days"][0]
        self.assertEqual((cell["count"], cell["left"]), (1, 3))
        self.assertEqual((column["week_count"], column["week_left"]), (1, 19))
        (visit,) = cell["visits"]
        self.assertEqual(visit["customer"], "Carla Customer")
        self.assertEqual(visit["town"], "Springfield")
        self.assertEqual(visit["time"], "09:00-10:30")
        self.assertEqual(visit["status"], "awaiting")
        self.assertEqual((visit["row"], visit["span"]), (2, 3))
        self.assertEqual(labels.index("12:00") in cell["working_rows"], False)
        self.assertTrue(column["color"].startswith("hsl("))

        # A full day offers no free slot, and says so.
        self.advisor.daily_appointment_capacity = 1
        cell = self._column(self._board(), self.advisor)["days"][0]
        self.assertEqual((cell["left"], cell["free"]), (0, []))

    def test_times_in_the_users_time_zone(self):
        """A coordinator in Chicago (UTC-6 that day) reads the advisor's UTC
        hours and visit in their own time."""
        self.coordinator.tz = "America/Chicago"
        self._book()  # 09:00-10:30 UTC
        board = self._board()
        labels = [row["label"] for row in board["rows"]]
        self.assertEqual((labels[0], labels[-1]), ("02:00", "10:30"))
        cell = self._column(board, self.advisor)["days"][0]
        self.assertEqual(cell["visits"][0]["time"], "03:00-04:30")
        self.assertEqual(board["rows"][0]["start"], "2031-03-03 08:00:00")
        # Sunday 20:00 UTC is Sunday 14:00 in Chicago: today is still Sunday.
        self.assertEqual(self._board(date=False)["date"], "2031-03-02")

    def test_past_slots_are_not_free(self):
        with freeze_time(datetime(2031, 3, 3, 13, 40)):
            board = self.Scheduler.with_user(self.coordinator).dispatch_board()
        self.assertEqual(board["date"], MONDAY)
        self.assertEqual(
            self._free(board, self.advisor), ["14:00", "14:30", "15:00", "15:30"]
        )

    def test_week(self):
        self._book()
        self._book(lead=self.lead_unassigned, start=self.start + timedelta(days=2))
        board = self._board(scale="week", date="2031-03-05")
        self.assertEqual([d["date"] for d in board["days"]][0], MONDAY)
        self.assertEqual(len(board["days"]), 7)
        self.assertEqual(board["next"], "2031-03-12")
        column = self._column(board, self.advisor)
        self.assertEqual(
            [len(cell["visits"]) for cell in column["days"]], [1, 0, 1, 0, 0, 0, 0]
        )
        self.assertEqual(column["week_left"], 18)
        self.assertEqual(column["days"][1]["free_count"], 12)
        self.assertTrue(column["days"][1]["working"])
        # Saturday: not working, nothing free.
        self.assertEqual(
            (column["days"][5]["working"], column["days"][5]["free_count"]), (False, 0)
        )

    def test_statuses(self):
        self.assertEqual(visit_status("none", False, "none"), "awaiting")
        self.assertEqual(visit_status("none", False, "accepted"), "confirmed")
        self.assertEqual(visit_status("none", False, "declined"), "declined")
        self.assertEqual(visit_status("due", True, "accepted"), "no_show")
        self.assertEqual(visit_status("done", False, "declined"), "debriefed")
        event = self._book()
        event.attendee_ids.filtered(
            lambda a: a.partner_id == self.customer
        ).do_decline()
        visit = self._column(self._board(), self.advisor)["days"][0]["visits"][0]
        self.assertEqual(visit["status"], "declined")

    # Booking from an empty slot

    def test_book_from_a_free_slot(self):
        event = self._book_from_board(
            self.coordinator, self.lead_unassigned, self.advisor, "14:00"
        )
        self.assertEqual(event.advisor_id, self.advisor)
        self.assertEqual(event.booked_by_id, self.coordinator)
        cell = self._column(self._board(), self.advisor)["days"][0]
        self.assertEqual([v["id"] for v in cell["visits"]], event.ids)
        self.assertEqual(cell["left"], 3)

    def test_booking_refused_like_the_wizard(self):
        self._book()  # 09:00-10:30
        cases = [
            ("10:00", "is already busy around"),  # on top of the visit
            ("12:00", "does not work on"),  # lunch
        ]
        for time, message in cases:
            with self.subTest(time=time), self.assertRefused(ValidationError, message):
                self._book_from_board(
                    self.coordinator, self.lead_unassigned, self.advisor, time
                )
        self.advisor.daily_appointment_capacity = 1
        with self.assertRefused(ValidationError, "their daily capacity"):
            self._book_from_board(
                self.coordinator, self.lead_unassigned, self.advisor, "14:00"
            )
        # Two a day and two a week: Monday's visit and Tuesday's fill the week.
        self.advisor.write(
            {"daily_appointment_capacity": 2, "weekly_appointment_capacity": 2}
        )
        self._book(lead=self.lead_unassigned.copy(), start=self.start + timedelta(1))
        with self.assertRefused(ValidationError, "their weekly capacity"):
            self._book_from_board(
                self.coordinator, self.lead_unassigned, self.advisor, "14:00"
            )
        # Another coordinator's advisor: refused as in the wizard.
        with self.assertRefused(AccessError, "Only the coordinator"):
            self._book_from_board(
                self.coordinator, self.lead_unassigned, self.advisor_2, "14:00"
            )

    # Scale

    def test_query_count_does_not_grow_with_advisors(self):
        more = self.env["res.users"]
        for i in range(3):
            more |= self._new_user(
                f"sc_dispatch_{i}",
                "sales_team.group_sale_salesman",
                is_field_advisor=True,
                coordinator_id=self.coordinator.id,
                resource_calendar_id=self.calendar.id,
            )
        self._book()

        def count():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._board()
            return self.env.cr.sql_log_count - before

        count()  # warm the rule and access caches
        few = count()
        for advisor in more:
            self._book(advisor=advisor, lead=self.lead_unassigned.copy())
        self.env.flush_all()
        self.assertEqual(count(), few)
        self.env.invalidate_all()
        # Batched reads (advisors, working hours, appointments, leads, customers):
        # the same count for one advisor or four.
        with self.assertQueryCount(20):
            self._board()
