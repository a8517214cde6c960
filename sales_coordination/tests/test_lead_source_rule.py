from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestLeadSourceRule(SalesCoordinationCommon):
    """Leads from elsewhere keep their UTM values; without a source they are listed
    as "Source missing" and cannot be booked until it is filled in."""

    def test_api_lead_keeps_utm(self):
        medium = self.env["utm.medium"].create({"name": "Website form"})
        campaign = self.env["utm.campaign"].create({"name": "Heat pumps 2031"})
        lead = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .create(
                {
                    "name": "From the website",
                    "source_id": self.source.id,
                    "medium_id": medium.id,
                    "campaign_id": campaign.id,
                }
            )
        )
        self.assertEqual(
            (lead.source_id, lead.medium_id, lead.campaign_id),
            (self.source, medium, campaign),
        )

    def test_source_missing_blocks_first_booking(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "E-mail alias lead",
                "type": "opportunity",
                "source_id": False,
                "user_id": self.advisor.id,
            }
        )
        missing = self.env["crm.lead"].search([("source_id", "=", False)])
        self.assertIn(lead, missing)
        filters = self.env.ref("sales_coordination.crm_lead_view_search").arch
        self.assertIn('name="source_missing"', filters)
        with self.assertRefused(ValidationError, "how they heard of us"):
            self._book(user=self.coordinator, lead=lead)
        self.assertFalse(
            self.env["calendar.event"].search([("opportunity_id", "=", lead.id)])
        )
        lead.source_id = self.source
        self.assertTrue(self._book(user=self.coordinator, lead=lead))
