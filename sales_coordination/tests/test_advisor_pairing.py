from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ADVISOR_GROUPS, SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestAdvisorPairing(SalesCoordinationCommon):
    """Advisors are paired with a coordinator and a backup coordinator, and always
    have a resource for their working hours."""

    def test_defaults_and_resource(self):
        advisor = self._new_user(
            "sc_new_advisor", ADVISOR_GROUPS, is_field_advisor=True
        )
        self.assertEqual(advisor.daily_appointment_capacity, 4)
        self.assertEqual(advisor.weekly_appointment_capacity, 20)
        self.assertEqual(len(advisor.resource_ids), 1, "the addon creates the resource")
        self.assertEqual(
            advisor.resource_calendar_id, self.company.resource_calendar_id
        )

    def test_working_hours_given_at_creation_are_kept(self):
        hours = self.env["resource.calendar"].create({"name": "Tuesday to Saturday"})
        advisor = self._new_user(
            "sc_advisor_hours",
            ADVISOR_GROUPS,
            is_field_advisor=True,
            resource_calendar_id=hours.id,
        )
        self.assertEqual(advisor.resource_calendar_id, hours)

    def test_becoming_an_advisor_creates_resource_once(self):
        user = self.salesman
        self.assertFalse(user.resource_ids)
        user.is_field_advisor = True
        self.assertEqual(len(user.resource_ids), 1)
        hours = self.env["resource.calendar"].create({"name": "Mornings"})
        user.resource_calendar_id = hours
        self.assertEqual(user.resource_ids.calendar_id, hours)
        user.is_field_advisor = False
        user.is_field_advisor = True
        self.assertEqual(len(user.resource_ids), 1)

    def test_coordinator_must_be_in_coordinator_group(self):
        with self.assertRefused(ValidationError, "is not a sales coordinator"):
            self.advisor.coordinator_id = self.salesman
        self.assertEqual(self.advisor.coordinator_id, self.coordinator)
        with self.assertRefused(ValidationError, "is not a sales coordinator"):
            self.advisor.backup_coordinator_id = self.advisor_2

    def test_manager_may_coordinate(self):
        self.advisor.coordinator_id = self.manager
        self.assertEqual(self.advisor.coordinator_id, self.manager)

    def test_no_self_coordination(self):
        with self.assertRefused(ValidationError, "cannot coordinate themselves"):
            self.coordinator.coordinator_id = self.coordinator
        with self.assertRefused(ValidationError, "cannot coordinate themselves"):
            self.coordinator.backup_coordinator_id = self.coordinator

    def test_backup_differs_from_coordinator(self):
        with self.assertRefused(ValidationError, "both the coordinator and the"):
            self.advisor.backup_coordinator_id = self.coordinator

    def test_coordinator_of_another_company(self):
        with self.assertRefused(ValidationError, "does not work for"):
            self.advisor.coordinator_id = self.coordinator_c2

    def test_capacities(self):
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.advisor.daily_appointment_capacity = -1
        with self.assertRefused(ValidationError, "more appointments in a day"):
            self.advisor.write(
                {"daily_appointment_capacity": 5, "weekly_appointment_capacity": 4}
            )
        self.assertEqual(self.advisor.daily_appointment_capacity, 4)

    def test_my_advisors(self):
        self.assertEqual(self.coordinator.coordinated_advisor_ids, self.advisor)
        self.assertEqual(self.backup_coordinator.backed_up_advisor_ids, self.advisor)
        action = self.env.ref("sales_coordination.res_users_action_advisor")
        domain = [
            ("is_field_advisor", "=", True),
            "|",
            ("coordinator_id", "=", self.backup_coordinator.id),
            ("backup_coordinator_id", "=", self.backup_coordinator.id),
        ]
        Users = self.env["res.users"].with_user(self.backup_coordinator)
        self.assertEqual(Users.search(domain), self.advisor)
        self.assertIn("search_default_my_advisors", action.context)
