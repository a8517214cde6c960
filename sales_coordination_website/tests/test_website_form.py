import json

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
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

    def test_the_customers_leads_are_shown_never_merged(self):
        """A stranger types a customer's e-mail: the customer's two
        opportunities, of two advisors, stay as they are; the coordinator sees
        them beside the new lead and merges only when they choose to."""
        self.customer.email = "carla@example.com"
        self.lead.email_from = "carla@example.com"
        second = self.env["crm.lead"].create(
            {
                "name": "Carla's garage door",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "email_from": "carla@example.com",
                "user_id": self.advisor_2.id,
                "source_id": self.source.id,
            }
        )
        before = {
            lead: (lead.name, lead.contact_name, lead.phone, lead.user_id)
            for lead in self.lead | second
        }
        earlier = (
            self.env["sales.call"]
            .with_user(self.coordinator)
            .create({"lead_id": self.lead.id, "result": "no_answer"})
        )
        lead = self._post(
            email_from="carla@example.com",
            phone="+1 555 0166",
            contact_name="Not Carla",
        )
        # The answer names the new lead only; the customer's leads are intact.
        self.assertNotIn(lead, self.lead | second)
        self.assertEqual(
            {
                other: (other.name, other.contact_name, other.phone, other.user_id)
                for other in (self.lead | second).exists()
            },
            before,
        )
        self.assertEqual(earlier.lead_id, self.lead)
        self.assertFalse(lead.partner_id, "the visitor is not linked to Carla")
        self.assertEqual(self.customer.name, "Carla Customer")
        self.assertEqual(self.customer.email, "carla@example.com")
        # The web coordinator sees the matches they may see, and merges them.
        self.company.sales_shared_queue = True
        as_coordinator = lead.with_user(self.other_coordinator)
        self.assertEqual(as_coordinator.sales_match_lead_ids, self.lead | second)
        self.assertEqual(as_coordinator.sales_match_partner_ids, self.customer)
        # An advisor may not merge, whatever they see.
        with self.assertRefused(AccessError, "Only a sales coordinator merges"):
            lead.with_user(self.advisor).action_sales_merge_matches()
        action = as_coordinator.action_sales_merge_matches()
        kept = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(len((self.lead | second | lead).exists()), 1)
        self.assertEqual(earlier.lead_id, kept)

    def test_the_answer_and_attachments_are_the_new_leads(self):
        self.customer.email = "carla@example.com"
        self.lead.email_from = "carla@example.com"
        response = self.url_open(
            "/website/form/crm.lead",
            data={
                "contact_name": "Eve",
                "email_from": "carla@example.com",
                "name": "Is Carla a customer?",
                "description": "Tell me",
            },
            files={"a_file": ("note.txt", b"from a stranger", "text/plain")},
        )
        answer = response.json()
        self.assertNotEqual(answer["id"], self.lead.id)
        lead = self.env["crm.lead"].browse(answer["id"])
        self.assertEqual(lead.contact_name, "Eve")
        attachments = self.env["ir.attachment"].search([("name", "=", "note.txt")])
        self.assertEqual(
            (attachments.res_model, attachments.res_id), ("crm.lead", lead.id)
        )

    def test_known_contact_is_shown_and_linked_by_the_coordinator(self):
        partner = self.env["res.partner"].create(
            {"name": "Walter Known", "email": "walter@example.com"}
        )
        lead = self._post(email_from="walter@example.com", contact_name="Walter")
        self.assertFalse(lead.partner_id)
        as_coordinator = lead.with_user(self.other_coordinator)
        self.assertEqual(as_coordinator.sales_match_partner_ids, partner)
        as_coordinator.action_sales_link_contact()
        self.assertEqual(lead.partner_id, partner)

    def test_the_visitor_cannot_route_the_lead(self):
        team = self.env["crm.team"].create({"name": "Chosen by the visitor"})
        self.website.crm_default_team_id = False
        self.website.crm_default_user_id = False
        lead = self._post(user_id=str(self.advisor.id), team_id=str(team.id))
        self.assertFalse(lead.user_id)
        self.assertNotEqual(lead.team_id, team)
        # The company's settings decide.
        self.website.crm_default_user_id = self.advisor_2
        lead = self._post(
            user_id=str(self.advisor.id), team_id=str(team.id), description="Again?"
        )
        self.assertEqual(lead.user_id, self.advisor_2)
        self.assertNotEqual(lead.team_id, team)

    def test_a_flood_from_one_address_is_refused(self):
        self.env["ir.config_parameter"].set_param(
            "sales_coordination_website.form_limit", "3"
        )
        with freeze_time("2026-03-02 10:00:00"):
            for index in range(3):
                self._post(
                    email_from=f"bot{index}@example.com",
                    description=f"Spam number {index}",
                )
            leads = self.env["crm.lead"].search_count([])
            response = self.url_open(
                "/website/form/crm.lead",
                data={
                    "contact_name": "Bot",
                    "email_from": "bot9@example.com",
                    "name": "Spam",
                    "description": "Spam number 9",
                },
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn("too many messages", response.json()["error"])
            self.assertEqual(self.env["crm.lead"].search_count([]), leads)
        with freeze_time("2026-03-02 10:11:00"):
            self._post(email_from="later@example.com", description="Ten minutes on")

    def test_escaped_in_the_coordinators_note(self):
        lead = self._post(
            phone='<img src="x" onerror="alert(1)">', email_from="<b>bold</b>"
        )
        note = str(lead.activity_ids.note)
        self.assertNotIn("<img", note)
        self.assertNotIn("<b>", note)
        self.assertIn("&lt;img", note)

    @freeze_time("2026-03-02 10:00:00")
    def test_a_repeat_from_one_browser_adds_to_its_own_lead(self):
        leads = self.env["crm.lead"]
        for index in range(5):
            leads |= self._post(
                email_from=f"flood{index}@example.com",
                phone=False,
                contact_name=f"Flo {index}",
                description="Cheap   ROOFS!" if index % 2 else "cheap roofs!",
            )
        self.assertEqual(len(leads), 1)
        self.assertEqual(leads.visitor_ids.lead_ids, leads)
        self.assertEqual(leads.email_from, "flood0@example.com")
        callbacks = leads.followup_ids.filtered(
            lambda f: f.kind == "callback" and f.state == "queued"
        )
        self.assertEqual(len(callbacks), 1)
        self.assertIn("flood4@example.com", leads.message_ids[0].body)
        # A repeat naming a customer adds to the visitor's lead, never theirs.
        self.customer.email = "carla@example.com"
        self.lead.email_from = "carla@example.com"
        again = self._post(
            email_from="carla@example.com", phone=False, description="cheap roofs!"
        )
        self.assertEqual(again, leads)
        self.assertEqual(self.lead.email_from, "carla@example.com")
        self.assertEqual(
            self.lead.message_ids.filtered(lambda m: "again" in (m.body or "")),
            self.env["mail.message"],
        )
        # Someone else writing from the same browser makes a lead of their own.
        other = self._post(
            email_from="neighbour@example.com", phone=False, description="A fence"
        )
        self.assertNotEqual(other, leads)
        # An hour later, the same message is a new lead.
        with freeze_time("2026-03-02 11:01:00"):
            later = self._post(
                email_from="flood0@example.com", phone=False, description="cheap roofs!"
            )
        self.assertNotIn(later, leads | other)

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
