from datetime import datetime

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import SalesCoordinationCommon

SPRINGFIELD = {"partner_latitude": 39.7817, "partner_longitude": -89.6501}
CHICAGO = {"partner_latitude": 41.8781, "partner_longitude": -87.6298}


@tagged("post_install", "-at_install")
class TestDispatchBoardUi(SalesCoordinationCommon, HttpCase):
    """The dispatch board in a coordinator's browser."""

    browser_size = "1400x900"

    def test_dispatch_board_tour(self):
        self._book()  # Monday 2031-03-03, 09:00-10:30 UTC
        near, far, lead = (
            self.env["crm.lead"].create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": self.env["res.partner"]
                    .create({"name": customer, "city": town, **place})
                    .id,
                    "source_id": self.source.id,
                    "coordinator_id": self.coordinator.id,
                    "user_id": self.advisor.id,
                }
            )
            for name, customer, town, place in (
                ("Near Porch", "Nina Near", "Springfield", SPRINGFIELD),
                ("Far Barn", "Fred Far", "Chicago", CHICAGO),
                ("Tour Boiler", "Tina Tour", "Shelbyville", {}),
            )
        )
        # Tuesday 08:00-09:30 in Springfield: Chicago is hours away from it.
        self._book(lead=near, start=datetime(2031, 3, 4, 8, 0))
        # Early on that Monday, whatever the hour the suite runs. The refusal
        # the tour meets on purpose is logged by Odoo's RPC as a warning.
        with freeze_time(datetime(2031, 3, 3, 7, 0)), mute_logger("odoo.http"):
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
        self.assertFalse(
            self.env["calendar.event"].search([("opportunity_id", "=", far.id)])
        )
