from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestCalendarOwnership(SalesCoordinationCommon):
    """Only an advisor's coordinator, backup coordinator or a manager books, moves,
    re-assigns or cancels their sales appointments; everyone sees what their role
    allows, and nothing of another company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["calendar.event"]

    def _count(self):
        return self.Event.with_context(active_test=False).search_count(
            [("is_sales_appointment", "=", True)]
        )

    # Create

    def test_coordinator_books_for_own_advisor(self):
        event = self._book(user=self.coordinator)
        self.assertTrue(event.is_sales_appointment)
        self.assertEqual(event.advisor_id, self.advisor)
        self.assertEqual(event.user_id, self.advisor, "the advisor is the organiser")
        self.assertIn(self.advisor.partner_id, event.partner_ids)
        self.assertNotIn(
            self.coordinator.partner_id,
            event.partner_ids,
            "the coordinator who books is not an attendee",
        )
        self.assertEqual(event.booked_by_id, self.coordinator)
        # It is in the advisor's own calendar.
        mine = self.Event.with_user(self.advisor).search(
            [("partner_ids", "in", self.advisor.partner_id.id)]
        )
        self.assertIn(event, mine)

    def test_backup_coordinator_and_manager_book(self):
        by_backup = self._book(user=self.backup_coordinator)
        self.assertEqual(by_backup.booked_by_id, self.backup_coordinator)
        by_manager = self._book(
            user=self.manager, advisor=self.advisor_2, lead=self.lead_2
        )
        self.assertEqual(by_manager.booked_by_id, self.manager)
        self.assertEqual(by_manager.user_id, self.advisor_2)

    def test_other_coordinator_cannot_book(self):
        before = self._count()
        with self.assertRefused(AccessError, "Only the coordinator or the backup"):
            self._book(user=self.other_coordinator)
        self.assertEqual(self._count(), before, "nothing is written")

    def test_advisor_cannot_book_own_appointment(self):
        before = self._count()
        with self.assertRefused(AccessError, "your own sales appointments"):
            self._book(user=self.advisor)
        with self.assertRefused(AccessError, "Only the coordinator"):
            self._book(user=self.advisor, advisor=self.advisor_2, lead=self.lead_2)
        self.assertEqual(self._count(), before)

    def test_advisor_keeps_personal_events(self):
        event = self.Event.with_user(self.advisor).create(
            {
                "name": "Dentist",
                "start": self.start,
                "stop": self.start + timedelta(hours=1),
            }
        )
        self.assertFalse(event.is_sales_appointment)
        event.write(
            {
                "start": self.start + timedelta(hours=2),
                "stop": self.start + timedelta(hours=3),
            }
        )
        event.unlink()
        self.assertFalse(event.exists())

    def test_coordinator_of_other_company_cannot_book(self):
        with self.assertRaises(AccessError):
            self._book(user=self.coordinator_c2)
        with self.assertRaises(AccessError):
            self._book(user=self.manager_c2)

    # Move and re-assign

    def test_move_per_role(self):
        event = self._book()
        later = {
            "start": self.start + timedelta(days=1),
            "stop": self.start + timedelta(days=1, hours=2),
        }
        for user in (self.coordinator, self.backup_coordinator, self.manager):
            event.with_user(user).write(later)
            self.assertEqual(event.start, later["start"])
        for user in (
            self.advisor,
            self.other_coordinator,
            self.advisor_2,
            self.salesman,
            self.manager_c2,
        ):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                event.with_user(user).write({"start": self.start})
        self.assertEqual(event.start, later["start"], "nothing is written")

    def test_advisor_cannot_move_own_appointment(self):
        event = self._book()
        with self.assertRefused(AccessError, "ask your coordinator"):
            event.with_user(self.advisor).write(
                {
                    "start": self.start + timedelta(hours=3),
                    "stop": self.start + timedelta(hours=4),
                }
            )

    def test_reassign_needs_rights_on_both_advisors(self):
        event = self._book()
        with self.assertRefused(AccessError, "Abe Advisor"):
            event.with_user(self.coordinator).write({"advisor_id": self.advisor_2.id})
        self.assertEqual(event.advisor_id, self.advisor)
        event.with_user(self.manager).write({"advisor_id": self.advisor_2.id})
        self.assertEqual(event.advisor_id, self.advisor_2)
        self.assertEqual(event.user_id, self.advisor_2)
        self.assertIn(self.advisor_2.partner_id, event.partner_ids)
        self.assertNotIn(self.advisor.partner_id, event.partner_ids)
        # Now the first coordinator has no hold on it.
        with self.assertRaises(AccessError):
            event.with_user(self.coordinator).write({"start": self.start})

    def test_advisor_stays_organiser_and_attendee(self):
        event = self._book()
        with self.assertRefused(ValidationError, "organiser and one of its"):
            event.with_user(self.coordinator).write(
                {"partner_ids": [(3, self.advisor.partner_id.id)]}
            )
        self.assertIn(self.advisor.partner_id, event.partner_ids)

    def test_plain_event_becomes_sales_appointment_only_for_coordinators(self):
        event = self.Event.with_user(self.advisor).create(
            {
                "name": "Call me",
                "start": self.start,
                "stop": self.start + timedelta(hours=1),
            }
        )
        with self.assertRaises(AccessError):
            event.with_user(self.advisor).write(
                {
                    "is_sales_appointment": True,
                    "advisor_id": self.advisor.id,
                    "opportunity_id": self.lead.id,
                }
            )
        self.assertFalse(event.is_sales_appointment)

    # Cancel

    def test_cancel_per_role(self):
        for day, user in enumerate(
            (self.advisor, self.other_coordinator, self.salesman)
        ):
            event = self._book(start=self.start + timedelta(days=day))
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    event.with_user(user).action_archive()
                with self.assertRaises(AccessError):
                    event.with_user(user).unlink()
                self.assertTrue(event.exists() and event.active)
        for user in (self.coordinator, self.backup_coordinator, self.manager):
            event = self._book(start=self.start + timedelta(days=3))
            event.with_user(user).action_archive()
            self.assertFalse(event.active)
            event.with_user(user).unlink()
            self.assertFalse(event.exists())

    # Read

    def test_read_per_role(self):
        event = self._book()
        event_2 = self._book(advisor=self.advisor_2, lead=self.lead_2)
        event_c2 = self._book(advisor=self.advisor_c2, lead=self.lead_c2)
        appointments = event | event_2 | event_c2
        expected = {
            self.advisor: event,
            self.coordinator: event,
            self.backup_coordinator: event,
            self.advisor_2: event_2,
            self.other_coordinator: event_2,
            self.manager: event | event_2,
            self.salesman: self.Event,
            self.coordinator_c2: event_c2,
            self.manager_c2: event_c2,
        }
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                found = self.Event.with_user(user).search(
                    [("id", "in", appointments.ids)]
                )
                self.assertEqual(found, visible)
                for hidden in appointments - visible:
                    with self.assertRaises(AccessError):
                        hidden.with_user(user).read(["name"])

    # Bad input

    def test_sales_appointment_needs_opportunity(self):
        before = self._count()
        values = self._appointment_values()
        values["opportunity_id"] = False
        with self.assertRefused(ValidationError, "belongs to an opportunity"):
            self.Event.with_user(self.coordinator).create(values)
        self.assertEqual(self._count(), before)

    def test_sales_appointment_needs_field_advisor(self):
        self.salesman.coordinator_id = self.coordinator
        with self.assertRefused(ValidationError, "not a field advisor"):
            self._book(user=self.coordinator, advisor=self.salesman)

    def test_sales_appointment_needs_advisor(self):
        values = self._appointment_values()
        values["advisor_id"] = False
        with self.assertRefused(ValidationError, "needs the field advisor"):
            self.Event.with_user(self.manager).create(values)

    def test_advisor_of_other_company_than_the_opportunity(self):
        with self.assertRefused(ValidationError, "does not work for"):
            self._book(advisor=self.advisor_c2, lead=self.lead)

    def test_sales_appointment_does_not_repeat(self):
        values = dict(
            self._appointment_values(),
            recurrency=True,
            rrule_type="weekly",
            count=3,
            end_type="count",
        )
        with self.assertRefused(ValidationError, "happens once"):
            self.Event.with_user(self.coordinator).create(values)

    # The coordinator's screen

    def test_book_through_the_form(self):
        form_view = self.env.ref("sales_coordination.calendar_event_view_form_sales")
        Event = self.Event.with_user(self.coordinator).with_context(
            default_is_sales_appointment=True
        )
        with Form(Event, view=form_view) as form:
            form.name = "First visit"
            form.opportunity_id = self.lead
            form.advisor_id = self.advisor
            form.start = self.start
            form.duration = 2
        event = form.record
        self.assertEqual(event.stop, self.start + timedelta(hours=2))
        self.assertEqual(event.user_id, self.advisor)
        self.assertEqual(event.booked_by_id, self.coordinator)

    def test_my_advisors_filter(self):
        event = self._book()
        self._book(advisor=self.advisor_2, lead=self.lead_2)
        action = self.env.ref("sales_coordination.calendar_event_action_sales")
        self.assertIn("search_default_my_advisors", action.context)
        search_view = self.env.ref(
            "sales_coordination.calendar_event_view_search_sales"
        )
        self.assertIn('name="my_advisors"', search_view.arch)
        domain = [
            ("is_sales_appointment", "=", True),
            "|",
            ("advisor_id.coordinator_id", "=", self.backup_coordinator.id),
            ("advisor_id.backup_coordinator_id", "=", self.backup_coordinator.id),
        ]
        found = self.Event.with_user(self.backup_coordinator).search(domain)
        self.assertEqual(found, event)
