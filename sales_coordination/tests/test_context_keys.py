from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestContextKeys(SalesCoordinationCommon):
    """A key of Odoo's context, which any JSON-RPC client sends with any call,
    is never an instruction to the rules: only the addon's own methods (and
    their arguments) say how a booking is made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.advisor.daily_appointment_capacity = 1
        cls.first = cls._book(lead=cls.lead_2)
        cls.afternoon = cls.start + timedelta(hours=5)

    def test_capacity_override_key_books_nothing_over_capacity(self):
        for user in (self.manager, self.coordinator):
            Event = (
                self.env["calendar.event"]
                .with_user(user)
                .with_context(sales_capacity_override=True)
            )
            with (
                self.subTest(user=user.login),
                self.assertRefused(ValidationError, "appointments that day"),
            ):
                Event.create(self._appointment_values(start=self.afternoon))

    def test_capacity_override_key_moves_nothing_over_capacity(self):
        tuesday = self._book(start=self.start + timedelta(days=1))
        with self.assertRefused(ValidationError, "appointments that day"):
            tuesday.with_user(self.manager).with_context(
                sales_capacity_override=True
            ).write(
                {"start": self.afternoon, "stop": self.afternoon + timedelta(hours=1)}
            )
        self.assertEqual(tuesday.start, self.start + timedelta(days=1))

    def test_managers_override_is_the_booking_argument(self):
        event = (
            self.env["sales.appointment.scheduler"]
            .with_user(self.manager)
            .book(
                self.lead,
                self.advisor,
                self.afternoon,
                self.afternoon + timedelta(hours=1),
                override_capacity=True,
            )
        )
        self.assertIn("over the capacity", event.message_ids[0].body)
        # The argument lasts for that booking only.
        with self.assertRefused(ValidationError, "appointments that day"):
            event.with_user(self.manager).write(
                {
                    "start": self.afternoon + timedelta(hours=1),
                    "stop": self.afternoon + timedelta(hours=2),
                }
            )
