from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesCoordinationCommon

ADVISOR_FORM = "sales_coordination.res_users_view_form_advisor"
USER_FORM = "sales_coordination.res_users_view_form"
# What the web client asks back after saving the advisor form.
SAVE_SPEC = {"resource_calendar_id": {"fields": {"display_name": {}}}, "tz": {}}
UTC = ZoneInfo("UTC")


@tagged("post_install", "-at_install")
class TestAdvisorWorkingHours(SalesCoordinationCommon):
    """A coordination manager or an administrator changes an existing advisor's
    working hours and time zone, from the form or over RPC, and the slot search
    follows; nobody else may, and a refusal writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls._new_user("sc_admin", "base.group_system", "Adam Admin")
        # 07:00-11:00, Monday to Friday: 07:00 is outside the standard hours.
        cls.early_mornings = cls.env["resource.calendar"].create(
            {
                "name": "Early mornings",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Early morning {day}",
                            "dayofweek": str(day),
                            "hour_from": 7,
                            "hour_to": 11,
                            "day_period": "morning",
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        cls.monday = datetime(2031, 3, 3)
        cls.Scheduler = cls.env["sales.appointment.scheduler"]

    def _hours(self, advisor=None):
        """The advisor's working hours and time zone as stored in the database."""
        advisor = advisor or self.advisor
        self.env.flush_all()
        self.env.invalidate_all()
        resources = advisor.resource_ids
        return advisor.resource_calendar_id, advisor.tz, set(resources.mapped("tz"))

    def _first_slot(self, hour, tz="UTC"):
        """The first slot of an hour proposed to the coordinator for the advisor
        on Monday from ``hour`` o'clock in ``tz``, as (start, stop) local hours;
        None when that Monday has no more."""
        zone = ZoneInfo(tz)
        local = self.monday.replace(tzinfo=zone) + timedelta(hours=hour)
        proposals = self.Scheduler.with_user(self.coordinator).propose_slots(
            self.lead,
            advisors=self.advisor,
            date_from=local.astimezone(UTC).replace(tzinfo=None),
            days=1,
            duration=1,
        )
        slots = sorted(
            (
                proposal["start"].replace(tzinfo=UTC).astimezone(zone),
                proposal["stop"].replace(tzinfo=UTC).astimezone(zone),
            )
            for proposal in proposals
        )
        slots = [slot for slot in slots if slot[0].date() == self.monday.date()]
        if not slots:
            return None
        start, stop = slots[0]
        return start.hour + start.minute / 60, stop.hour + stop.minute / 60

    def assertStandardHours(self, tz="UTC"):
        """The slot search offers 08:00-12:00 and 13:00-17:00 in ``tz``."""
        self.assertEqual(self._first_slot(0, tz), (8, 9))
        self.assertEqual(self._first_slot(10.5, tz), (10.5, 11.5))

    def assertEarlyMornings(self, tz="UTC"):
        """The slot search offers 07:00-11:00 in ``tz``, and nothing later."""
        self.assertEqual(self._first_slot(0, tz), (7, 8))
        self.assertEqual(self._first_slot(10, tz), (10, 11))
        self.assertIsNone(self._first_slot(10.5, tz))

    # Allowed: a coordination manager, an administrator

    def test_standard_hours_before(self):
        self.assertStandardHours()

    def test_manager_from_the_advisor_form(self):
        advisor = self.advisor.with_user(self.manager)
        view = advisor.get_views([(self.env.ref(ADVISOR_FORM).id, "form")])
        self.assertIn('edit="1"', view["views"]["form"]["arch"])
        self.assertTrue(advisor.can_edit_working_hours)
        with Form(advisor, view=ADVISOR_FORM) as form:
            form.resource_calendar_id = self.early_mornings
            form.tz = "America/Chicago"
        self.assertEqual(
            self._hours(),
            (self.early_mornings, "America/Chicago", {"America/Chicago"}),
        )
        # 07:00 in Chicago is 13:00 UTC (UTC-6 until the change of 9 March 2031).
        self.assertEarlyMornings("America/Chicago")
        self.assertEqual(self._first_slot(0), (13, 14))

    def test_admin_from_the_user_form(self):
        with Form(self.advisor.with_user(self.admin), view=USER_FORM) as form:
            form.resource_calendar_id = self.early_mornings
            form.tz = "Europe/Paris"
        self.assertEqual(
            self._hours(), (self.early_mornings, "Europe/Paris", {"Europe/Paris"})
        )
        self.assertEarlyMornings("Europe/Paris")

    def test_manager_and_admin_over_rpc(self):
        for user, calendar, tz in (
            (self.manager, self.early_mornings, "America/Chicago"),
            (self.admin, self.calendar, "Europe/Paris"),
        ):
            with self.subTest(user=user.name):
                self.advisor.with_user(user).write(
                    {"resource_calendar_id": calendar.id, "tz": tz}
                )
                self.assertEqual(self._hours(), (calendar, tz, {tz}))
        self.assertStandardHours("Europe/Paris")
        # What the web client's save button sends.
        [values] = self.advisor.with_user(self.manager).web_save(
            {"resource_calendar_id": self.early_mornings.id}, SAVE_SPEC
        )
        self.assertEqual(values["resource_calendar_id"]["id"], self.early_mornings.id)
        self.assertEqual(values["tz"], "Europe/Paris")
        self.assertEarlyMornings("Europe/Paris")

    def test_time_zone_alone_moves_the_hours(self):
        self.advisor.with_user(self.manager).tz = "Asia/Tokyo"
        self.assertEqual(self._hours(), (self.calendar, "Asia/Tokyo", {"Asia/Tokyo"}))
        self.assertStandardHours("Asia/Tokyo")

    def test_becoming_an_advisor_with_working_hours(self):
        self.salesman.with_user(self.admin).write(
            {"is_field_advisor": True, "resource_calendar_id": self.early_mornings.id}
        )
        self.assertEqual(self.salesman.resource_ids.calendar_id, self.early_mornings)

    def test_working_hours_of_the_advisor_company(self):
        other_hours = self.env["resource.calendar"].create(
            {"name": "Other hours", "company_id": self.company_2.id}
        )
        with self.assertRefused(ValidationError, "belong to Other Company"):
            self.advisor.with_user(self.admin).resource_calendar_id = other_hours
        self.assertEqual(self.advisor.resource_calendar_id, self.calendar)

    # Refused: everybody else, and nothing is written

    def _assert_refused(self, user, vals, fragment, advisor=None):
        """``vals`` written on the advisor as ``user``, by write and by web_save,
        is refused with an AccessError saying ``fragment``, and nothing is
        written (the refused calls run outside any savepoint)."""
        advisor = advisor or self.advisor
        before = self._hours(advisor)
        as_user = advisor.with_user(user)
        for name, call in (
            ("write", lambda: as_user.write(vals)),
            ("web_save", lambda: as_user.web_save(vals, SAVE_SPEC)),
        ):
            with self.subTest(user=user.name, call=name):
                try:
                    call()
                except AccessError as error:
                    self.assertIn(fragment, str(error))
                else:
                    self.fail(f"{user.name} changed the working hours by {name}")
                self.assertEqual(self._hours(advisor), before)

    def test_refused_for_a_coordinator(self):
        self.assertFalse(
            self.advisor.with_user(self.coordinator).can_edit_working_hours
        )
        self._assert_refused(
            self.coordinator,
            {"resource_calendar_id": self.early_mornings.id, "tz": "Asia/Tokyo"},
            "Only a coordination manager or an administrator can change the working "
            "hours and time zone of Ada Advisor.",
        )
        # The advisor form is read-only for them.
        form = Form(self.advisor.with_user(self.coordinator), view=ADVISOR_FORM)
        with self.assertRaises(AssertionError):
            form.resource_calendar_id = self.early_mornings
        self.assertStandardHours()

    def test_refused_for_the_advisor_themselves(self):
        for vals in (
            {"resource_calendar_id": self.early_mornings.id},
            {"tz": "Asia/Tokyo"},
        ):
            self._assert_refused(
                self.advisor, vals, "ask a coordination manager to change them"
            )
        # Their other preferences stay theirs.
        self.advisor.with_user(self.advisor).write({"signature": "<p>Ada</p>"})
        self.assertEqual(str(self.advisor.signature), "<p>Ada</p>")

    def test_refused_for_a_salesman(self):
        self._assert_refused(
            self.salesman,
            {"tz": "Asia/Tokyo"},
            "Only a coordination manager or an administrator",
        )

    def test_refused_for_a_manager_of_another_company(self):
        self._assert_refused(
            self.manager_c2,
            {"resource_calendar_id": self.early_mornings.id},
            "Ada Advisor work for another company",
        )

    def test_manager_changes_nothing_else(self):
        # The working hours may pass, the capacity may not: nothing is written.
        self._assert_refused(
            self.manager,
            {
                "resource_calendar_id": self.early_mornings.id,
                "daily_appointment_capacity": 2,
            },
            "You are not allowed to modify",
        )
        self.assertEqual(self.advisor.daily_appointment_capacity, 4)
