from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestUi(SalesCoordinationCommon, HttpCase):
    """The coordinator's flows in a real browser."""

    def test_lead_intake_tour(self):
        source = self.env["utm.source"].create({"name": "Yard sign (tour)"})
        self.start_tour(
            "/odoo", "sales_coordination_lead_intake", login="sc_coordinator"
        )
        lead = self.env["crm.lead"].search([("contact_name", "=", "Tara Tour")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.source_id, source)
        self.assertEqual(lead.urgency, "now")
        self.assertEqual(lead.coordinator_id, self.coordinator)
        self.assertEqual(lead.call_ids.mapped("direction"), ["in"])

    def test_booking_tour(self):
        self.customer.zip = "62701"
        action = "action-sales_coordination.crm_lead_action_coordination"
        url = f"/odoo/{action}/{self.lead.id}"
        self.start_tour(url, "sales_coordination_booking", login="sc_coordinator")
        event = self.env["calendar.event"].search(
            [("opportunity_id", "=", self.lead.id)]
        )
        self.assertEqual(len(event), 1)
        self.assertEqual(event.advisor_id, self.advisor)
        self.assertEqual(event.booked_by_id, self.coordinator)
        self.assertIn(self.customer, event.partner_ids)
