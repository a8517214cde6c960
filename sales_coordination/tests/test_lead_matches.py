from odoo.tests import tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestLeadMatches(SalesCoordinationCommon):
    """The duplicate check at intake (crm.lead._sales_find_matches): the open
    leads and the contacts a caller's number or e-mail already belongs to, within
    the coordinator's access, in one query while the customer is on the line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium = cls.env.ref("base.be")
        # A company in Belgium, whatever the database's (demo data or not): a
        # number typed with the international prefix 00 or in local form reads
        # as the company's country dials it.
        cls.company.country_id = cls.belgium
        Partner = cls.env["res.partner"]
        # The same number typed three ways, and one that only shares its last
        # digits (another country).
        cls.by_mobile = Partner.create(
            {
                "name": "Mobile in local form",
                "mobile": "0470 12 34 56",
                "country_id": cls.belgium.id,
            }
        )
        cls.by_phone = Partner.create(
            {"name": "Phone with punctuation", "phone": "+32 (470) 12-34-56"}
        )
        cls.e164 = Partner.create({"name": "Phone in E.164", "phone": "+32470123456"})
        cls.same_tail = Partner.create(
            {"name": "Same last digits, France", "phone": "+33 4 70 12 34 56"}
        )
        cls.other_company_contact = Partner.create(
            {
                "name": "Customer of the other company",
                "phone": "+32 470 12 34 56",
                "company_id": cls.company_2.id,
            }
        )
        Lead = cls.env["crm.lead"].with_context(default_source_id=cls.source.id)
        lead_values = {
            "type": "opportunity",
            "phone": "+32 470 12 34 56",
            "user_id": cls.advisor.id,
        }
        cls.open_lead = Lead.create(
            {**lead_values, "name": "Open", "partner_id": cls.by_mobile.id}
        )
        cls.won_lead = Lead.create({**lead_values, "name": "Won"})
        cls.won_lead.action_set_won()
        cls.lost_lead = Lead.create({**lead_values, "name": "Lost"})
        cls.lost_lead.action_set_lost()
        cls.other_company_lead = Lead.create(
            {
                **lead_values,
                "name": "Other company",
                "user_id": cls.advisor_c2.id,
                "company_id": cls.company_2.id,
            }
        )
        cls.Lead = cls.env["crm.lead"].with_user(cls.coordinator)

    def test_number_in_any_form(self):
        for typed in ("+32 470 12 34 56", "+32470123456", "0032 470 12 34 56"):
            with self.subTest(typed=typed):
                leads, partners = self.Lead._sales_find_matches(phone=typed)
                self.assertEqual(leads, self.open_lead, "neither won nor lost")
                self.assertEqual(
                    set(partners.ids),
                    {self.by_mobile.id, self.by_phone.id, self.e164.id},
                    "the same number in full, within the coordinator's company",
                )

    def test_email_matches_lead_and_contact(self):
        self.by_phone.email = "dora@example.com"
        self.open_lead.email_from = "Dora <dora@example.com>"
        leads, partners = self.Lead._sales_find_matches(email="DORA@Example.com")
        self.assertEqual(leads, self.open_lead)
        self.assertEqual(
            partners,
            self.by_phone | self.by_mobile,
            "the contact with that e-mail first, then the lead's own",
        )

    def test_archived_never_match(self):
        # Whatever the caller's context: the lost lead is archived, and so is a
        # contact nobody uses any more.
        self.by_phone.action_archive()
        leads, partners = self.Lead.with_context(active_test=False)._sales_find_matches(
            phone="+32 470 12 34 56"
        )
        self.assertEqual(leads, self.open_lead)
        self.assertEqual(set(partners.ids), {self.by_mobile.id, self.e164.id})

    def test_nothing_to_match(self):
        for values in ({}, {"phone": "not a number"}, {"email": "nobody"}):
            with self.subTest(values=values):
                leads, partners = self.Lead._sales_find_matches(**values)
                self.assertFalse(leads)
                self.assertFalse(partners)
        leads, partners = self.Lead._sales_find_matches(phone="+32 470 99 99 99")
        self.assertFalse(leads or partners)

    def test_one_query(self):
        # Rules and access rights are cached per worker: warm, as in production.
        self.Lead._sales_find_matches(phone="+32 470 12 34 56")
        self.env.flush_all()
        self.env.invalidate_all()
        # The matches and the country of the contact whose number is stored in
        # local form (the company tree Odoo's own rule on contacts walks is
        # kept per worker: a company's parent never changes).
        with self.assertQueryCount(2):
            leads, partners = self.Lead._sales_find_matches(
                phone="+32 470 12 34 56", email="dora@example.com"
            )
        self.assertEqual(leads, self.open_lead)
        self.assertEqual(len(partners), 3)
        with self.assertQueryCount(1):
            self.Lead._sales_find_matches(phone="+32 470 12 34 56")
