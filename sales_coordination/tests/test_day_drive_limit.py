from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..tools import travel
from ..tools.travel import Place
from .common import SalesCoordinationCommon

NEIGHBOUR = Place(39.7850, -89.6450)
# About 19 km north: 36 minutes' drive by the estimate (great circle x 1.3 at
# 40 km/h), well within the three hours between the two visits.
FAR = Place(39.9530, -89.6450)


@tagged("post_install", "-at_install")
class TestDayDriveLimit(SalesCoordinationCommon):
    """The company's drive limit per advisor-day holds for a booking by hand as
    for the proposals: whoever books, through whichever door, the appointment that
    would take the advisor's day over it is refused; only a manager's explicit
    override lets it through, and says so in the chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Scheduler = cls.env["sales.appointment.scheduler"]
        cls.customer.write(
            {"partner_latitude": FAR.latitude, "partner_longitude": FAR.longitude}
        )
        neighbour = cls.env["res.partner"].create(
            {
                "name": "Ned Neighbour",
                "partner_latitude": NEIGHBOUR.latitude,
                "partner_longitude": NEIGHBOUR.longitude,
            }
        )
        cls.lead_neighbour = cls.env["crm.lead"].create(
            {
                "name": "Neighbour's boiler",
                "type": "opportunity",
                "partner_id": neighbour.id,
                "user_id": cls.advisor.id,
                "source_id": cls.source.id,
            }
        )
        # Monday 2031-03-03: a visit at 09:00; the far customer at 14:00 would
        # give the day its drive between the two (the advisor's home is unknown).
        cls.monday = cls.start.replace(hour=0)
        cls._book(lead=cls.lead_neighbour, start=cls.monday + timedelta(hours=9))
        cls.at_two = cls.monday + timedelta(hours=14)
        cls.drive = travel.travel_minutes(NEIGHBOUR, FAR, 40.0)
        cls.company.sales_max_day_drive_minutes = 30

    def _book_by_hand(self, user, override=False):
        return self.Scheduler.with_user(user).book(
            self.lead.id,
            self.advisor.id,
            self.at_two,
            self.at_two + timedelta(hours=1, minutes=30),
            override_capacity=override,
        )

    def _count(self):
        return self.env["calendar.event"].search_count(
            [("advisor_id", "=", self.advisor.id)]
        )

    def test_the_estimate_is_over_the_limit(self):
        # The premise of the other tests.
        self.assertGreater(self.drive, 30)
        self.assertLess(self.drive, 60)

    def test_coordinators_are_refused_on_every_door(self):
        count = self._count()
        expected = (
            f"Ada Advisor would drive {round(self.drive)} minutes on Monday 3 March "
            "2031, over the company's limit of 30 minutes a day"
        )
        for user in (self.coordinator, self.backup_coordinator):
            with self.subTest(user=user.login):
                with self.assertRefused(ValidationError, expected):
                    self._book_by_hand(user)
                # The booking wizard's time typed by hand.
                wizard = (
                    self.env["sales.booking.wizard"]
                    .with_user(user)
                    .create(
                        {"lead_id": self.lead.id, "date_from": self.monday, "days": 1}
                    )
                )
                self.assertNotIn(
                    (self.advisor, self.monday.date()),
                    {(p.advisor_id, p.start.date()) for p in wizard.proposal_ids},
                    "the proposals keep to the limit",
                )
                wizard.write(
                    {"manual_advisor_id": self.advisor.id, "manual_start": self.at_two}
                )
                with self.assertRefused(ValidationError, "limit of 30 minutes"):
                    wizard.action_book_manual()
                # A client creating the event itself, as over JSON-RPC.
                with self.assertRefused(ValidationError, "limit of 30 minutes"):
                    self.env["calendar.event"].with_user(user).create(
                        self._appointment_values(start=self.at_two)
                    )
                # Asking for the override does not make a coordinator a manager.
                with self.assertRefused(AccessError, "Only a sales manager"):
                    self._book_by_hand(user, override=True)
        self.assertEqual(self._count(), count, "nothing half-written")

    def test_those_who_may_not_book_learn_nothing_of_the_day(self):
        # Another coordinator, another company's, the advisor themselves: refused
        # for who they are, before any drive is measured or named.
        for user in (self.other_coordinator, self.coordinator_c2, self.advisor):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError) as refusal:
                    self._book_by_hand(user)
                self.assertNotIn("minutes", str(refusal.exception))

    def test_moving_a_visit_onto_the_day_is_refused(self):
        # Tuesday has no other visit: the far customer fits there.
        tuesday = self.at_two + timedelta(days=1)
        event = self.Scheduler.with_user(self.coordinator).book(
            self.lead.id, self.advisor.id, tuesday, tuesday + timedelta(hours=1.5)
        )
        # The dispatch board and the calendar move a visit by writing its times.
        with self.assertRefused(ValidationError, "limit of 30 minutes"):
            event.with_user(self.coordinator).write(
                {"start": self.at_two, "stop": self.at_two + timedelta(hours=1.5)}
            )
        self.env.invalidate_all()
        self.assertEqual(event.start, tuesday)

    def test_manager_refused_unless_they_override(self):
        # A manager books as a coordinator does: refused, told they may override.
        with self.assertRefused(ValidationError, "(a manager may override)"):
            self._book_by_hand(self.manager)
        event = self._book_by_hand(self.manager, override=True)
        self.assertEqual(event.start, self.at_two)
        for record in (event, self.lead):
            self.assertIn("limit of driving a day", record.message_ids[0].body)
        # The override is for the day's limits, never for a clash.
        with self.assertRefused(ValidationError, "already busy"):
            self._book_by_hand(self.manager, override=True)

    def test_no_limit_set(self):
        self.company.sales_max_day_drive_minutes = 0
        event = self._book_by_hand(self.coordinator)
        self.assertEqual(event.start, self.at_two)

    def test_a_day_over_the_limit_stays_the_managers(self):
        event = self._book_by_hand(self.manager, override=True)
        # Rearranged within that day, it is still over: the coordinator is
        # refused, the manager overrides again.
        later = self.at_two + timedelta(hours=1)
        moved = {"start": later, "stop": later + timedelta(hours=1.5)}
        with self.assertRefused(ValidationError, "limit of 30 minutes"):
            event.with_user(self.coordinator).write(moved)
        # Moved to a day without other visits, it is within the limit again.
        tuesday = self.at_two + timedelta(days=1)
        event.with_user(self.coordinator).write(
            {"start": tuesday, "stop": tuesday + timedelta(hours=1.5)}
        )
        self.assertEqual(event.start, tuesday)
