from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestLeadEntry(SalesCoordinationCommon):
    """Under the company setting (on by default), coordinators own lead entry."""

    def _create(self, user):
        return (
            self.env["crm.lead"]
            .with_user(user)
            .create({"name": f"Lead by {user.name}", "source_id": self.source.id})
        )

    def test_setting_is_on_by_default(self):
        self.assertTrue(self.env["res.company"].new({}).sales_lead_entry_restricted)

    def test_advisor_refused_when_on(self):
        self.assertTrue(self.company.sales_lead_entry_restricted)
        before = self.env["crm.lead"].search_count([])
        with self.assertRefused(AccessError, "Cody"):
            self._create(self.advisor)
        self.assertEqual(self.env["crm.lead"].search_count([]), before)
        for user in (
            self.coordinator,
            self.backup_coordinator,
            self.manager,
            self.salesman,
        ):
            with self.subTest(user=user.login):
                self.assertTrue(self._create(user))

    def test_advisor_allowed_when_off(self):
        self.company.sales_lead_entry_restricted = False
        lead = self._create(self.advisor)
        self.assertEqual(lead.user_id, self.advisor)

    def test_manager_imports(self):
        self.source.name = "Radio (import)"
        result = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .load(
                ["name", "source_id", "email_from"],
                [["Imported", "Radio (import)", "imp@example.com"]],
            )
        )
        self.assertFalse(result["messages"], result["messages"])
        lead = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(lead.source_id, self.source, "imports keep their source")
