from odoo import Command
from odoo.tests import tagged

from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestWebCoordinatorLeaves(SalesCoordinationCommon):
    """The coordinator of new web leads who leaves the company's coordinators
    is no longer given them: the form's leads go to the calls of nobody."""

    def test_archived(self):
        self.company.sales_web_coordinator_id = self.other_coordinator
        self.other_coordinator.action_archive()
        self.assertFalse(self.company.sales_web_coordinator_id)

    def test_role_removed(self):
        self.company.sales_web_coordinator_id = self.other_coordinator
        group = self.env.ref("sales_coordination.group_coordinator")
        self.other_coordinator.write({"groups_id": [Command.unlink(group.id)]})
        self.assertFalse(self.company.sales_web_coordinator_id)

    def test_other_company_removed_keeps_this_one(self):
        self.company.sales_web_coordinator_id = self.other_coordinator
        self.other_coordinator.write({"company_ids": [Command.link(self.company_2.id)]})
        self.company_2.sales_web_coordinator_id = self.other_coordinator
        self.other_coordinator.write(
            {"company_ids": [Command.unlink(self.company_2.id)]}
        )
        self.assertFalse(self.company_2.sales_web_coordinator_id)
        self.assertEqual(self.company.sales_web_coordinator_id, self.other_coordinator)
