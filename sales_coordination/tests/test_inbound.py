import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon

URL = "/sales_coordination/inbound"


class InboundCommon(SalesCoordinationCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot = cls._new_user("sc_inbound_bot", "sales_coordination.group_manager")
        cls.integration = cls.env["sales.inbound.source"].create(
            {
                "name": "Call tracking",
                "user_id": cls.bot.id,
                "coordinator_id": cls.coordinator.id,
            }
        )
        cls.medium = cls.env["utm.medium"].create({"name": "Radio (inbound test)"})
        cls.env["sales.tracking.number"].create(
            {
                "number": "+1 217 555 0199",
                "source_id": cls.source.id,
                "medium_id": cls.medium.id,
            }
        )
        cls.started = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(
            minutes=2
        )

    def _call(self, event_id="ev-1", **values):
        return {
            "type": "call",
            "event_id": event_id,
            "tracking_number": "+1 (217) 555-0199",
            "caller_number": "+32 470 12 34 56",
            "caller_name": "Cara Caller",
            "started_at": self.started.isoformat().replace("+00:00", "Z"),
            "duration": 0,
            "answered": False,
            **values,
        }

    def _post(
        self,
        payload=None,
        integration=None,
        timestamp=None,
        secret=None,
        body=None,
        headers=None,
    ):
        integration = integration or self.integration
        body = body if body is not None else json.dumps(payload).encode()
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        secret = secret or integration.secret
        signature = hmac.new(
            secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        sent = {
            "Content-Type": "application/json",
            "X-Integration": str(integration.id),
            "X-Timestamp": timestamp,
            "X-Signature": signature,
        }
        sent.update(headers or {})
        sent = {key: value for key, value in sent.items() if value is not None}
        return self.url_open(URL, data=body, headers=sent)

    def _counts(self):
        return tuple(
            self.env[model].search_count([])
            for model in ("crm.lead", "sales.call", "sales.followup", "res.partner")
        )


@tagged("post_install", "-at_install")
class TestInboundEvents(InboundCommon):
    """What each event becomes."""

    def test_missed_call_from_a_new_caller(self):
        response = self._post(self._call())
        self.assertEqual(response.status_code, 200, response.text)
        answer = response.json()
        lead = self.env["crm.lead"].browse(answer["lead_id"])
        self.assertEqual(lead.source_id, self.source)
        self.assertEqual(lead.medium_id, self.medium)
        self.assertEqual(lead.coordinator_id, self.coordinator)
        self.assertEqual(lead.partner_id.company_id, self.company)
        self.assertEqual(lead.arrival_date, self.started.replace(tzinfo=None))
        self.assertFalse(lead.first_contact_date, "nobody answered")
        call = self.env["sales.call"].browse(answer["call_id"])
        self.assertEqual((call.direction, call.result), ("in", "no_answer"))
        followup = self.env["sales.followup"].browse(answer["followup_id"])
        self.assertEqual((followup.kind, followup.state), ("callback", "queued"))
        self.assertTrue(followup.is_due)
        self.assertIn("Missed call", lead.message_ids[0].body)

    def test_missed_call_goes_to_the_top_of_the_queue(self):
        self.lead.write({"expected_revenue": 10**7, "probability": 100})
        now = datetime.now()
        Followup = self.env["sales.followup"]
        for kind in ("quote", "callback", "confirmation"):
            Followup.create(
                {
                    "lead_id": self.lead.id,
                    "kind": kind,
                    "window_start": now - timedelta(hours=3),
                    "window_end": now + timedelta(hours=3),
                }
            )
        answer = self._post(self._call()).json()
        claimed = Followup.with_user(self.coordinator).claim_next()
        self.assertEqual(claimed.id, answer["followup_id"])

    def test_answered_call_of_a_known_customer(self):
        self.lead.phone = "+32 470 12 34 56"
        response = self._post(self._call(answered=True, duration=185))
        answer = response.json()
        self.assertEqual(answer["lead_id"], self.lead.id)
        self.assertIsNone(answer["followup_id"])
        call = self.env["sales.call"].browse(answer["call_id"])
        self.assertEqual((call.result, call.duration), ("connected", 185))
        self.assertEqual(
            self.lead.first_contact_date, self.started.replace(tzinfo=None)
        )

    def test_web_form_with_its_utm_values(self):
        google = self.env["utm.source"].create({"name": "Google (inbound test)"})
        before = self._counts()
        response = self._post(
            {
                "type": "form",
                "event_id": "form-1",
                "caller_name": "Fay <b>Form</b>",
                "email": "fay@example.com",
                "message": "<script>alert('x')</script>Quote for a heat pump",
                "utm_source": "google (inbound test)",
                "utm_medium": "cpc",
            }
        )
        self.assertEqual(response.status_code, 200, response.text)
        answer = response.json()
        self.assertIsNone(answer["call_id"])
        lead = self.env["crm.lead"].browse(answer["lead_id"])
        self.assertEqual(lead.source_id, google)
        self.assertEqual(lead.email_from, "fay@example.com")
        body = str(lead.message_ids[0].body)
        self.assertNotIn("<script>", body)
        self.assertIn("&lt;script&gt;", body)
        self.assertEqual(
            self.env["sales.followup"].browse(answer["followup_id"]).kind, "callback"
        )
        self.assertEqual(self._counts()[:3], (before[0] + 1, before[1], before[2] + 1))

    def test_unknown_tracking_number_lands_in_source_missing(self):
        answer = self._post(self._call(tracking_number="+1 999 555 0000")).json()
        lead = self.env["crm.lead"].browse(answer["lead_id"])
        self.assertFalse(lead.source_id)
        self.assertIn(
            lead,
            self.env["crm.lead"].search([("source_id", "=", False)]),
        )

    def test_same_event_twenty_times_is_recorded_once(self):
        before = self._counts()
        answers = [self._post(self._call()).json() for _ in range(20)]
        self.assertEqual(len({json.dumps(a, sort_keys=True) for a in answers}), 1)
        self.assertEqual(
            self._counts(), (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
        )
        # The same event id from another integration is another event.
        other = self.integration.copy({"name": "Web form"})
        self.assertEqual(self._post(self._call(), integration=other).status_code, 200)
        self.assertEqual(self._counts()[1], before[1] + 2)

    def test_companies_stay_apart(self):
        bot_c2 = self._new_user(
            "sc_inbound_bot_c2",
            "sales_coordination.group_manager",
            company_id=self.company_2.id,
            company_ids=self.company_2.ids,
        )
        integration_c2 = self.env["sales.inbound.source"].create(
            {
                "name": "Tracking C2",
                "user_id": bot_c2.id,
                "company_id": self.company_2.id,
            }
        )
        self.lead.phone = "+32 470 12 34 56"  # a company 1 customer
        answer = self._post(self._call(), integration=integration_c2).json()
        lead = self.env["crm.lead"].browse(answer["lead_id"])
        self.assertNotEqual(lead, self.lead)
        self.assertEqual(lead.company_id, self.company_2)
        # A contact shared by all companies may be linked, never one of company 1.
        self.assertNotEqual(lead.partner_id.company_id, self.company)
        other = self._post(
            self._call("ev-2", caller_number="+32 470 65 43 21"),
            integration=integration_c2,
        ).json()
        created = self.env["crm.lead"].browse(other["lead_id"]).partner_id
        self.assertEqual(created.company_id, self.company_2)
        self.assertFalse(lead.source_id, "company 1's tracking numbers are not theirs")
        with self.assertRaises(ValidationError):
            integration_c2.coordinator_id = self.coordinator


@tagged("post_install", "-at_install")
class TestInboundRefusals(InboundCommon):
    """Trust nothing: each refusal names the problem and writes nothing."""

    def assertRefusedWith(self, status, fragment, **post):
        before = self._counts()
        response = self._post(**post)
        self.assertEqual(response.status_code, status, response.text)
        self.assertIn(fragment, response.json()["error"])
        self.assertEqual(self._counts(), before, "nothing written")

    def test_signature_and_timestamp(self):
        self.assertRefusedWith(401, "wrong signature", payload=self._call(), secret="x")
        self.assertRefusedWith(
            401,
            "missing X-Signature",
            payload=self._call(),
            headers={"X-Signature": None},
        )
        self.assertRefusedWith(
            401, "5 minutes", payload=self._call(), timestamp=int(time.time()) - 301
        )
        self.assertRefusedWith(
            401, "5 minutes", payload=self._call(), timestamp=int(time.time()) + 400
        )
        self.assertRefusedWith(
            401, "X-Timestamp", payload=self._call(), headers={"X-Timestamp": "soon"}
        )
        # A body changed after signing.
        body = json.dumps(self._call()).encode()
        timestamp = str(int(time.time()))
        signature = hmac.new(
            self.integration.secret.encode(),
            timestamp.encode() + b"." + body,
            hashlib.sha256,
        ).hexdigest()
        tampered = body.replace(b"Cara", b"Evil")
        self.assertRefusedWith(
            401,
            "wrong signature",
            body=tampered,
            headers={"X-Timestamp": timestamp, "X-Signature": signature},
        )
        self.env.invalidate_all()
        refused = self.integration.event_ids.filtered(lambda e: e.state == "refused")
        self.assertEqual(len(refused), 6)
        self.assertIn("wrong signature", refused.mapped("error"))

    def test_integration(self):
        self.assertRefusedWith(
            401, "X-Integration", payload=self._call(), headers={"X-Integration": "a"}
        )
        self.assertRefusedWith(
            401,
            "unknown integration",
            payload=self._call(),
            headers={"X-Integration": "999999"},
        )
        self.integration.active = False
        self.assertRefusedWith(403, "inactive", payload=self._call())
        self.integration.active = True
        old_secret = self.integration.secret
        self.integration.action_rotate_secret()
        self.assertRefusedWith(
            401, "wrong signature", payload=self._call(), secret=old_secret
        )
        self.assertEqual(self._post(self._call()).status_code, 200)

    def test_body(self):
        self.assertRefusedWith(413, "64 KiB", payload=self._call(message="x" * 70000))
        self.assertRefusedWith(400, "malformed JSON", body=b'{"type": "call",')
        self.assertRefusedWith(400, "JSON object", body=b"[1, 2]")
        self.assertRefusedWith(400, "'type'", payload={"event_id": "e"})
        self.assertRefusedWith(400, "'event_id'", payload=self._call(event_id=""))
        self.assertRefusedWith(
            400, "'caller_number'", payload=self._call(caller_number=None)
        )
        self.assertRefusedWith(
            400, "'tracking_number'", payload=self._call(tracking_number="")
        )
        self.assertRefusedWith(400, "'answered'", payload=self._call(answered="yes"))
        self.assertRefusedWith(400, "'duration'", payload=self._call(duration=-3))
        self.assertRefusedWith(400, "ISO 8601", payload=self._call(started_at="today"))
        self.assertRefusedWith(400, "'caller_name'", payload=self._call(caller_name=5))
        self.assertRefusedWith(
            400, "'email' or 'caller_number'", payload={"type": "form", "event_id": "f"}
        )

    def test_technical_user_must_be_a_manager(self):
        for user in (self.advisor, self.coordinator):
            with self.assertRefused(ValidationError, "must be a coordination manager"):
                self.env["sales.inbound.source"].create(
                    {"name": "Bad", "user_id": user.id}
                )
