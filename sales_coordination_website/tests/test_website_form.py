import json

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestWebsiteForm(SalesCoordinationCommon, HttpCase):
    """The website's contact form, posted as a visitor's browser posts it: the
    lead keeps the visitor's source, finds the customer like an intake and is
    called back first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env["website"].get_current_website()
        cls.website.company_id = cls.company
        cls.company.sales_web_coordinator_id = cls.other_coordinator
        cls.google = cls.env["utm.source"].create({"name": "Google Ads (web test)"})
        cls.cpc = cls.env["utm.medium"].create({"name": "CPC (web test)"})

    def _post(self, utm=None, **fields):
        """The form as the browser sends it; UTM as Odoo's tracking cookies."""
        for name, value in (utm or {}).items():
            self.opener.cookies.set(f"odoo_utm_{name}", value)
        data = {
            "contact_name": "Wanda Web",
            "phone": "+1 555 0177",
            "email_from": "wanda@example.com",
            "name": "Quote for a new roof",
            "description": "Leaking roof, two storeys",
            **fields,
        }
        response = self.url_open("/website/form/crm.lead", data=data)
        self.assertEqual(response.status_code, 200, response.text)
        answer = json.loads(response.text)
        self.assertIn("id", answer, answer)
        return self.env["crm.lead"].browse(answer["id"])

    def _claim(self, user):
        return self.env["sales.followup"].with_user(user).claim_next()

    def test_form_lead_with_source_reaches_next_call_first(self):
        # Something else is due in the web coordinator's queue already.
        quote = self.env["sales.followup"]._sales_queue(
            [{"lead_id": self.lead_2.id, "kind": "callback"}]
        )
        lead = self._post(
            utm={
                "source": self.google.name,
                "medium": self.cpc.name,
                "campaign": "Spring roofs",
            }
        )
        self.assertEqual(lead.source_id, self.google)
        self.assertEqual(lead.medium_id, self.cpc)
        self.assertEqual(lead.campaign_id.name, "Spring roofs")
        self.assertEqual(lead.coordinator_id, self.other_coordinator)
        self.assertEqual(lead.urgency, "now")
        self.assertIn("Leaking roof", lead.perceived_need)
        self.assertTrue(lead.arrival_date)
        callback = lead.followup_ids
        self.assertEqual(
            (callback.kind, callback.is_inbound, callback.state),
            ("callback", True, "queued"),
        )
        self.assertTrue(callback.is_due)
        # The web coordinator's Next call hands it out before their other call.
        self.assertEqual(self._claim(self.other_coordinator), callback)
        self.assertNotEqual(callback, quote)
        # Speed to lead counts from the form's submission.
        callback.invalidate_recordset()
        callback.with_user(self.other_coordinator).action_log_call(
            "connected", outcome="done"
        )
        self.assertEqual(lead.first_contact_date >= lead.arrival_date, True)

    def test_form_without_source_lands_in_source_missing(self):
        lead = self._post()
        self.assertFalse(lead.source_id)
        # The Source Missing menu's filter.
        missing = self.env.ref("sales_coordination.crm_lead_action_source_missing")
        self.assertIn("search_default_source_missing", missing.context)
        self.assertIn(lead, self.env["crm.lead"].search([("source_id", "=", False)]))
        self.assertEqual(lead.medium_id.name, "Website")

    def test_without_web_coordinator_nobody_owns_it_and_anyone_calls(self):
        self.company.sales_web_coordinator_id = False
        lead = self._post()
        callback = lead.followup_ids
        self.assertFalse(callback.queue_coordinator_id)
        self.assertEqual(self._claim(self.coordinator), callback)

    def test_matched_to_the_customer_like_an_intake(self):
        self.customer.email = "carla@example.com"
        earlier = (
            self.env["sales.call"]
            .with_user(self.coordinator)
            .create({"lead_id": self.lead.id, "result": "no_answer"})
        )
        lead = self._post(email_from="carla@example.com", phone="+1 555 0100")
        # The form merged with the customer's open lead (crm's merge chooses
        # which record stays): one lead, with its advisor and its history.
        self.assertEqual(lead.user_id, self.advisor)
        self.assertEqual(earlier.lead_id, lead)
        self.assertEqual(
            self.env["crm.lead"].search_count(
                [("email_from", "=", "carla@example.com")]
            ),
            1,
        )
        self.assertEqual(lead.partner_id, self.customer)
        self.assertEqual(
            lead.followup_ids.filtered(lambda f: f.kind == "callback").mapped(
                "is_inbound"
            ),
            [True],
        )
        # The advisor's coordinator calls their customer back.
        self.assertEqual(self._claim(self.coordinator).lead_id, lead)

    def test_known_contact_without_open_lead(self):
        partner = self.env["res.partner"].create(
            {"name": "Walter Known", "email": "walter@example.com"}
        )
        lead = self._post(email_from="walter@example.com", contact_name="Walter")
        self.assertEqual(lead.partner_id, partner)

    def test_a_flood_from_one_visitor_is_one_lead_and_one_call(self):
        leads = self.env["crm.lead"]
        for index in range(5):
            leads |= self._post(
                email_from=f"flood{index}@example.com",
                phone=False,
                contact_name=f"Flo {index}",
                description="Cheap   ROOFS!" if index % 2 else "cheap roofs!",
            )
        kept = leads.exists()
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.visitor_ids.lead_ids, kept)
        callbacks = kept.followup_ids.filtered(
            lambda f: f.kind == "callback" and f.state == "queued"
        )
        self.assertEqual(len(callbacks), 1)
        # Someone else writing from the same browser makes a lead of their own.
        other = self._post(
            email_from="neighbour@example.com", phone=False, description="A fence"
        )
        self.assertNotEqual(other, kept)
        self.assertEqual(len((kept | other).exists()), 2)

    def test_malformed_contact_is_kept_and_marked(self):
        lead = self._post(phone="call me maybe", email_from="wanda at example")
        self.assertEqual(lead.phone, "call me maybe")
        self.assertEqual(lead.email_from, "wanda at example")
        activity = lead.activity_ids
        self.assertEqual(activity.user_id, self.other_coordinator)
        self.assertIn("call me maybe", activity.note)
        self.assertIn("wanda at example", activity.note)
        self.assertTrue(lead.followup_ids)

    def test_the_visitor_cannot_choose_the_coordinator(self):
        lead = self._post(coordinator_id=str(self.coordinator.id), urgency="later")
        self.assertEqual(lead.coordinator_id, self.other_coordinator)
        self.assertEqual(lead.urgency, "now")

    def test_web_coordinator_must_coordinate_the_company(self):
        with self.assertRefused(ValidationError, "cannot call back the web leads"):
            self.company.sales_web_coordinator_id = self.advisor
        with self.assertRefused(ValidationError, "cannot call back the web leads"):
            self.company.sales_web_coordinator_id = self.coordinator_c2

    def test_form_tour_then_next_call(self):
        """A visitor fills the contact form in a browser; the web coordinator's
        Next call then hands out the callback."""
        contactus = self.env["website"].with_context(website_id=self.website.id)
        self.start_tour(
            contactus.get_client_action_url("/contactus"),
            "website_crm_pre_tour",
            login="admin",
        )
        self.start_tour(
            f"/contactus?utm_source={self.google.name}&utm_medium={self.cpc.name}",
            "sales_coordination_website_form",
        )
        lead = self.env["crm.lead"].search([("contact_name", "=", "Tom Tour")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.source_id, self.google)
        self.assertEqual(self._claim(self.other_coordinator).lead_id, lead)
