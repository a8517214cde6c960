from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestLeadIntake(SalesCoordinationCommon):
    """The coordinator's intake form: who, why, how they heard of us; duplicates
    shown before a new lead is made; the inbound call logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Intake = cls.env["sales.lead.intake"].with_user(cls.coordinator)
        cls.medium = cls.env["utm.medium"].create({"name": "Radio"})
        cls.campaign = cls.env["utm.campaign"].create({"name": "Spring 2031"})
        cls.yard_sign = cls.env["utm.source"].create({"name": "Yard sign"})
        cls.tracking = cls.env["sales.tracking.number"].create(
            {
                "number": "+32 2 555 01 23",
                "name": "Radio spot",
                "source_id": cls.source.id,
                "medium_id": cls.medium.id,
                "campaign_id": cls.campaign.id,
            }
        )

    def _intake(self, **values):
        with Form(self.Intake) as form:
            form.contact_name = values.pop("contact_name", "Dora Dupuis")
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def _counts(self):
        return (
            self.env["crm.lead"].search_count([]),
            self.env["res.partner"].search_count([]),
            self.env["sales.call"].search_count([]),
        )

    def test_new_caller(self):
        intake = self._intake(
            phone="+32 470 11 22 33",
            email="dora@example.com",
            city="Namur",
            perceived_need="Boiler breaks down every winter\nWants a quote",
            source_id=self.yard_sign,
            urgency="now",
            reach_weekday="0",
            reach_daypart="evening",
            call_duration=240,
        )
        action = intake.action_confirm()
        lead = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(lead.name, "Dora Dupuis: Boiler breaks down every winter")
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.source_id, self.yard_sign)
        self.assertEqual(lead.urgency, "now")
        self.assertEqual((lead.reach_weekday, lead.reach_daypart), ("0", "evening"))
        self.assertIn("Wants a quote", lead.perceived_need)
        self.assertEqual(lead.coordinator_id, self.coordinator)
        self.assertFalse(lead.user_id, "the lead waits for an advisor")
        self.assertEqual(lead.partner_id.name, "Dora Dupuis")
        self.assertEqual(lead.partner_id.city, "Namur")
        self.assertEqual(lead.phone_sanitized, "+32470112233")
        call = lead.call_ids
        self.assertEqual(len(call), 1)
        self.assertEqual(
            (call.direction, call.result, call.duration, call.user_id),
            ("in", "connected", 240, self.coordinator),
        )
        self.assertEqual(lead.first_contact_date, call.call_date)
        # The coordinator can read and work what they took in.
        self.assertTrue(lead.with_user(self.coordinator).read(["name"]))

    def test_tracking_number_fills_source_and_coordinator_may_change_it(self):
        intake = self._intake(phone="+32 470 99 88 77", dialled_number="+3225550123")
        self.assertEqual(intake.tracking_number_id, self.tracking)
        self.assertEqual(intake.source_id, self.source)
        self.assertEqual(intake.medium_id, self.medium)
        self.assertEqual(intake.campaign_id, self.campaign)
        # "I saw your yard sign, then called the number on the website."
        intake.source_id = self.yard_sign
        lead = self.env["crm.lead"].browse(intake.action_confirm()["res_id"])
        self.assertEqual(lead.source_id, self.yard_sign)
        self.assertEqual(lead.tracking_number_id, self.tracking)
        self.assertEqual(lead.campaign_id, self.campaign)

    def test_duplicate_by_phone(self):
        # Typed with Belgium's international prefix: a company in Belgium reads
        # it so, whatever the database's demo data set.
        self.company.country_id = self.env.ref("base.be")
        existing = self.env["crm.lead"].create(
            {
                "name": "Known caller",
                "phone": "+32 470 55 44 33",
                "type": "opportunity",
                "source_id": self.yard_sign.id,
                "user_id": self.advisor.id,
            }
        )
        intake = self._intake(phone="0032470554433", perceived_need="Called back")
        self.assertEqual(intake.match_lead_ids, existing)
        self.assertEqual(intake.lead_id, existing, "the only match is proposed")
        before = self.env["crm.lead"].search_count([])
        lead_id = intake.action_confirm()["res_id"]
        self.assertEqual(lead_id, existing.id)
        self.assertEqual(self.env["crm.lead"].search_count([]), before)
        self.assertEqual(existing.source_id, self.yard_sign, "its source is kept")
        self.assertEqual(len(existing.call_ids), 1)

    def test_duplicate_by_email_links_contact(self):
        self.customer.email = "carla@example.com"
        intake = self._intake(email="Carla@Example.COM", source_id=self.source)
        self.assertIn(self.customer, intake.match_partner_ids)
        self.assertEqual(intake.match_lead_ids, self.lead)
        intake.lead_id = False
        intake.partner_id = self.customer
        lead = self.env["crm.lead"].browse(intake.action_confirm()["res_id"])
        self.assertNotEqual(lead, self.lead)
        self.assertEqual(lead.partner_id, self.customer, "no duplicate contact")

    def test_lead_from_elsewhere_gets_its_missing_source(self):
        web_lead = self.env["crm.lead"].create(
            {
                "name": "Web form",
                "email_from": "web@example.com",
                "type": "opportunity",
                "source_id": False,
            }
        )
        web_lead.user_id = False  # an unassigned lead from the web form
        intake = self._intake(email="web@example.com", source_id=self.yard_sign)
        self.assertEqual(intake.match_lead_ids, web_lead)
        self.assertEqual(intake.lead_id, web_lead)
        intake.action_confirm()
        self.assertEqual(web_lead.source_id, self.yard_sign)

    # Bad input: refused, nothing written

    def _assert_refused(self, fragment, **values):
        before = self._counts()
        intake = self.Intake.create(
            dict({"contact_name": "Eve", "source_id": self.source.id}, **values)
        )
        with self.assertRefused(ValidationError, fragment):
            intake.action_confirm()
        self.assertEqual(self._counts(), before, "nothing is written")

    def test_missing_source(self):
        self._assert_refused(
            "how Eve heard of us", phone="+32470000001", source_id=False
        )

    def test_unknown_tracking_number(self):
        self._assert_refused(
            "not one of our tracking numbers",
            phone="+32470000002",
            dialled_number="+32 2 999 99 99",
        )

    def test_phone_that_does_not_parse(self):
        self._assert_refused("not a phone number", phone="12ab")

    def test_email_that_does_not_parse(self):
        self._assert_refused("not an e-mail address", email="eve@")

    def test_no_way_to_call_back(self):
        self._assert_refused("phone number or an e-mail")

    def test_referred_by_themself(self):
        self._assert_refused(
            "cannot have referred themselves",
            partner_id=self.customer.id,
            referred_by_id=self.customer.id,
        )
        referrer = self.env["res.partner"].create(
            {"name": "Eve", "phone": "+32 470 00 00 03"}
        )
        self._assert_refused(
            "cannot have referred themselves",
            phone="+32470000003",
            referred_by_id=referrer.id,
        )

    def test_referred_by_on_lead(self):
        with self.assertRefused(ValidationError, "cannot have referred themselves"):
            self.lead.referred_by_id = self.customer

    def test_tracking_number_must_parse(self):
        with self.assertRefused(ValidationError, "is not a phone number"):
            self.env["sales.tracking.number"].create(
                {"number": "call us", "source_id": self.source.id}
            )
        self.assertEqual(self.tracking.number, "+3225550123")

    def test_only_coordinators_use_intake(self):
        from odoo.exceptions import AccessError

        with self.assertRaises(AccessError):
            self.env["sales.lead.intake"].with_user(self.advisor).create(
                {"contact_name": "Eve", "source_id": self.source.id}
            )
