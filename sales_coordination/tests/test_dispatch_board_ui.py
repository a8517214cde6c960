from datetime import datetime

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestDispatchBoardUi(SalesCoordinationCommon, HttpCase):
    """The dispatch board in a coordinator's browser."""

    browser_size = "1400x900"

    def test_dispatch_board_tour(self):
        self._book()  # Monday 2031-03-03, 09:00-10:30 UTC
        customer = self.env["res.partner"].create(
            {"name": "Tina Tour", "city": "Shelbyville"}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Tour Boiler",
                "type": "opportunity",
                "partner_id": customer.id,
                "source_id": self.source.id,
                "coordinator_id": self.coordinator.id,
                "user_id": self.advisor.id,
            }
        )
        # Early on that Monday, whatever the hour the suite runs.
        with freeze_time(datetime(2031, 3, 3, 7, 0)):
            self.start_tour(
                "/odoo/dispatch-board",
                "sales_coordination_dispatch_board",
                login="sc_coordinator",
            )
        event = self.env["calendar.event"].search([("opportunity_id", "=", lead.id)])
        self.assertEqual(len(event), 1)
        self.assertEqual(event.advisor_id, self.advisor)
        self.assertEqual(event.booked_by_id, self.coordinator)
        self.assertEqual(event.start, datetime(2031, 3, 4, 14, 0))
