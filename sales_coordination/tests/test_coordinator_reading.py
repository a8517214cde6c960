from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import Form, HttpCase, tagged

from .common import SalesCoordinationCommon

NEED = "Cold rooms upstairs, the old boiler gives up every winter and the kids are cold"


@tagged("post_install", "-at_install")
class TestCoordinatorReading(SalesCoordinationCommon):
    """What a coordinator reads on forms and lists: short titles, addresses
    without empty parts, proposals read out to the customer."""

    def _intake(self, need=NEED, **values):
        Intake = self.env["sales.lead.intake"].with_user(self.coordinator)
        with Form(Intake) as form:
            form.contact_name = "Carla Customer"
            form.perceived_need = need
            form.source_id = self.source
            form.email = f"carla.{abs(hash(need))}@example.com"
            for name, value in values.items():
                setattr(form, name, value)
        action = form.record.action_confirm()
        return self.env["crm.lead"].browse(action["res_id"])

    def test_intake_titles_the_lead_short(self):
        lead = self._intake()
        self.assertEqual(
            lead.name, "Carla Customer: Cold rooms upstairs, the old boiler…"
        )
        self.assertEqual(lead.perceived_need, NEED, "the need itself stays whole")
        # A short need is the title as it is; a long word is cut at the limit.
        self.assertEqual(
            self._intake(need="Heat pump").name, "Carla Customer: Heat pump"
        )
        self.assertEqual(
            self._intake(need="x" * 80).name, f"Carla Customer: {'x' * 40}…"
        )

    def test_visit_address_without_empty_parts(self):
        self.customer.write(
            {
                "street": "12 Elm Street",
                "street2": False,
                "city": "Riverside",
                "zip": "62702",
                "country_id": False,
                "state_id": False,
            }
        )
        start = datetime(2031, 3, 4, 9, 0)
        with freeze_time(start - timedelta(days=2)):
            event = (
                self.env["sales.appointment.scheduler"]
                .with_user(self.coordinator)
                .book(self.lead, self.advisor, start, start + timedelta(hours=1))
            )
        self.assertEqual(event.location, "12 Elm Street, Riverside 62702")

    def test_proposals_read_as_said(self):
        wizard = self.env["sales.booking.wizard"].with_user(self.coordinator)
        wizard = wizard.create({"lead_id": self.lead.id})
        proposal = self.env["sales.booking.proposal"].create(
            {
                "wizard_id": wizard.id,
                "advisor_id": self.advisor.id,
                "start": datetime(2026, 12, 10, 13, 0),
                "stop": datetime(2026, 12, 10, 14, 30),
                "added_travel_minutes": 14.5,
            }
        )
        proposal = proposal.with_context(tz="UTC", lang="en_US")
        self.assertEqual(proposal.when_label, "Thu 10 Dec 13:00")
        self.assertEqual(proposal.travel_label, "14 min")

    def test_each_role_starts_on_its_own_page(self):
        cases = {
            self.manager: "sales_coordination.sales_coordinator_board_action",
            self.coordinator: "sales_coordination.sales_followup_action",
            self.advisor: "sales_coordination.calendar_event_action_advisor_day",
        }
        for user, xmlid in cases.items():
            with self.subTest(user=user.login):
                action = user.with_user(user)._sales_start_action()
                self.assertEqual(action["id"], self.env.ref(xmlid).id)


@tagged("post_install", "-at_install")
class TestCoordinatorReadingUi(SalesCoordinationCommon, HttpCase):
    """The same, in a coordinator's or manager's browser."""

    browser_size = "1400x900"

    def test_coordinator_start_tour(self):
        self.start_tour(
            "/odoo", "sales_coordination_coordinator_start", login="sc_coordinator"
        )

    def test_manager_start_tour(self):
        self.start_tour("/odoo", "sales_coordination_manager_start", login="sc_manager")

    def test_lead_reading_tour(self):
        Intake = self.env["sales.lead.intake"].with_user(self.coordinator)
        with Form(Intake) as form:
            form.contact_name = "Carla Customer"
            form.perceived_need = NEED
            form.source_id = self.source
            form.email = "carla.reads@example.com"
            form.street = "12 Elm Street"
            form.city = "Riverside"
            form.zip = "62702"
        lead_id = form.record.action_confirm()["res_id"]
        action = "action-sales_coordination.crm_lead_action_coordination"
        self.start_tour(
            f"/odoo/{action}/{lead_id}",
            "sales_coordination_lead_reading",
            login="sc_coordinator",
        )
