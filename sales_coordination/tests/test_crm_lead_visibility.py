from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestCrmLeadVisibility(SalesCoordinationCommon):
    """Advisors see their own leads; coordinators those of the advisors they
    coordinate or back up, and unassigned ones; managers all of their companies."""

    def test_leads_per_role(self):
        leads = self.lead | self.lead_2 | self.lead_unassigned | self.lead_c2
        expected = {
            self.advisor: self.lead | self.lead_unassigned,
            self.advisor_2: self.lead_2 | self.lead_unassigned,
            self.coordinator: self.lead | self.lead_unassigned,
            self.backup_coordinator: self.lead | self.lead_unassigned,
            self.other_coordinator: self.lead_2 | self.lead_unassigned,
            self.manager: self.lead | self.lead_2 | self.lead_unassigned,
            self.coordinator_c2: self.lead_c2,
            self.manager_c2: self.lead_c2,
        }
        Lead = self.env["crm.lead"]
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                found = Lead.with_user(user).search([("id", "in", leads.ids)])
                self.assertEqual(found, visible)
                for hidden in leads - visible:
                    with self.assertRaises(AccessError):
                        hidden.with_user(user).read(["name"])

    def test_coordinator_edits_advisor_leads(self):
        self.lead.with_user(self.backup_coordinator).write({"probability": 40})
        self.assertEqual(self.lead.probability, 40)
        with self.assertRaises(AccessError):
            self.lead_2.with_user(self.coordinator).write({"probability": 40})
