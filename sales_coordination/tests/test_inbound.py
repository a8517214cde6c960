import json
import time
from datetime import datetime, timedelta, timezone

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from odoo.addons.sales_coordination.tools.signing import sign

from .common import COORDINATOR_GROUPS, SalesCoordinationCommon

URL = "/sales_coordination/inbound"
# What an event may write, each counted whole (every company, archived rows too).
TABLES = (
    "sales_inbound_event",
    "crm_lead",
    "sales_call",
    "sales_followup",
    "res_partner",
)


class InboundCommon(SalesCoordinationCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Saving the integration creates its technical user.
        cls.integration = cls.env["sales.inbound.source"].create(
            {"name": "Call tracking", "coordinator_id": cls.coordinator.id}
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
        chunked=False,
    ):
        """POST ``payload`` (or the raw ``body``) signed with the integration's
        secret (or ``secret``); ``headers`` override the signed ones (None drops
        one); ``chunked`` sends the body without Content-Length."""
        integration = integration or self.integration
        body = body if body is not None else json.dumps(payload).encode()
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        sent = {
            "Content-Type": "application/json",
            "X-Integration": str(integration.id),
            "X-Timestamp": timestamp,
            "X-Signature": sign(
                secret or integration.secret, timestamp, body, integration.id
            ),
        }
        sent.update(headers or {})
        sent = {key: value for key, value in sent.items() if value is not None}
        if chunked:
            step = 16 * 1024
            data = (body[i : i + step] for i in range(0, len(body), step))
        else:
            data = body
        return self.url_open(URL, data=data, headers=sent)

    def _counts(self):
        """The number of rows of each of TABLES."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT %s",
                SQL(", ").join(
                    SQL("(SELECT count(*) FROM %s)", SQL.identifier(table))
                    for table in TABLES
                ),
            )
        )
        return dict(zip(TABLES, self.env.cr.fetchone(), strict=True))

    def _added(self, before):
        """The rows added to each of TABLES since the counts ``before`` (the
        unchanged tables left out)."""
        after = self._counts()
        return {
            table: after[table] - before[table]
            for table in TABLES
            if after[table] != before[table]
        }

    def assertAdded(self, before, **added):
        self.assertEqual(self._added(before), added)


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
        self.assertEqual(lead.create_uid, self.integration.user_id)
        self.assertNotIn(
            self.integration.user_id.partner_id,
            lead.message_partner_ids,
            "the technical user follows nothing",
        )
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
        self.assertAdded(
            before, sales_inbound_event=1, crm_lead=1, sales_followup=1, res_partner=1
        )

    def test_generic_call_is_logged_as_the_integration_s(self):
        # The same road as a telephone service's call: the call knows its
        # integration, the sender's id and the caller.
        answer = self._post(self._call("ev-known")).json()
        call = self.env["sales.call"].browse(answer["call_id"])
        self.assertEqual(call.integration_id, self.integration)
        self.assertEqual(call.provider_call_id, "ev-known")
        self.assertEqual(call.caller_number, "+32 470 12 34 56")
        self.assertTrue(call.brought_lead)
        self.assertTrue(call.is_lead)

    def test_generic_call_from_an_ignored_number_is_no_lead(self):
        self.integration.ignored_numbers = "+32 470 12 34 56"
        before = self._counts()
        answer = self._post(self._call("ev-spam")).json()
        self.assertIsNone(answer["lead_id"])
        self.assertIsNone(answer["followup_id"], "nobody calls an ignored number")
        call = self.env["sales.call"].browse(answer["call_id"])
        self.assertEqual(
            call.reason_id, self.env.ref("sales_coordination.sales_call_reason_ignored")
        )
        self.assertAdded(before, sales_inbound_event=1, sales_call=1)

    def test_short_generic_call_is_no_lead(self):
        self.integration.min_lead_duration = 30
        before = self._counts()
        answer = self._post(self._call("ev-short", answered=True, duration=12)).json()
        self.assertIsNone(answer["lead_id"])
        call = self.env["sales.call"].browse(answer["call_id"])
        self.assertEqual(
            call.reason_id, self.env.ref("sales_coordination.sales_call_reason_short")
        )
        self.assertFalse(call.is_lead)
        self.assertAdded(before, sales_inbound_event=1, sales_call=1)
        # As long as the integration's shortest lead call, it is one.
        answer = self._post(self._call("ev-long", answered=True, duration=30)).json()
        self.assertTrue(answer["lead_id"])

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
        self.assertAdded(
            before,
            sales_inbound_event=1,
            crm_lead=1,
            sales_call=1,
            sales_followup=1,
            res_partner=1,
        )
        event = self.integration.event_ids
        self.assertEqual((event.state, event.event_id), ("done", "ev-1"))
        # The same event id from another integration is another event (and a copy
        # gets a technical user of its own).
        other = self.integration.copy({"name": "Web form"})
        self.assertNotEqual(other.user_id, self.integration.user_id)
        self.assertEqual(self._post(self._call(), integration=other).status_code, 200)
        self.assertEqual(self._added(before)["sales_call"], 2)

    def test_chunked_body(self):
        response = self._post(self._call(message="x" * 3000), chunked=True)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(self.integration.event_ids), 1)

    def test_companies_stay_apart(self):
        integration_c2 = self.env["sales.inbound.source"].create(
            {"name": "Tracking C2", "company_id": self.company_2.id}
        )
        self.assertEqual(integration_c2.user_id.company_ids, self.company_2)
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
        with self.assertRefused(ValidationError, "does not work for"):
            integration_c2.coordinator_id = self.coordinator


@tagged("post_install", "-at_install")
class TestInboundRefusals(InboundCommon):
    """Trust nothing: each refusal names the problem; an unsigned request writes
    nothing at all, a signed one only its refused event."""

    def assertRefusedWith(self, status, fragment, stored=False, **post):
        before = self._counts()
        response = self._post(**post)
        self.assertEqual(response.status_code, status, response.text)
        self.assertIn(fragment, response.json()["error"])
        if stored:
            self.assertAdded(before, sales_inbound_event=1)
            event = self.integration.event_ids.sorted("id")[-1]
            self.assertEqual((event.state, event.status), ("refused", status))
            self.assertIn(fragment, event.error)
        else:
            self.assertAdded(before)

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
        signature = sign(self.integration.secret, timestamp, body, self.integration.id)
        tampered = body.replace(b"Cara", b"Evil")
        self.assertRefusedWith(
            401,
            "wrong signature",
            body=tampered,
            headers={"X-Timestamp": timestamp, "X-Signature": signature},
        )
        self.assertFalse(self.integration.event_ids, "no refusal recorded unsigned")

    def test_malformed_headers(self):
        payload = self._call()
        for header, value, fragment in (
            ("X-Timestamp", "9" * 400, "X-Timestamp"),
            ("X-Timestamp", "١٢٣".encode(), "X-Timestamp"),
            ("X-Timestamp", "-1", "X-Timestamp"),
            ("X-Timestamp", "1e9", "X-Timestamp"),
            ("X-Integration", "9" * 400, "X-Integration"),
            ("X-Integration", str(2**31), "X-Integration"),
            ("X-Integration", "١".encode(), "X-Integration"),
            ("X-Signature", "z" * 64, "X-Signature"),
            ("X-Signature", "é".encode() * 32, "X-Signature"),
            ("X-Signature", "ab" * 31, "X-Signature"),
            ("X-Signature", "ab" * 400, "X-Signature"),
        ):
            with self.subTest(header=header, value=value[:20]):
                self.assertRefusedWith(
                    401, fragment, payload=payload, headers={header: value}
                )
        # Hex digits in capitals sign as well.
        body = json.dumps(payload).encode()
        timestamp = str(int(time.time()))
        signature = sign(
            self.integration.secret, timestamp, body, self.integration.id
        ).upper()
        response = self._post(
            body=body, headers={"X-Timestamp": timestamp, "X-Signature": signature}
        )
        self.assertEqual(response.status_code, 200, response.text)

    def test_integration(self):
        self.assertRefusedWith(
            401, "X-Integration", payload=self._call(), headers={"X-Integration": "a"}
        )
        self.assertRefusedWith(
            401,
            "wrong signature",
            payload=self._call(),
            headers={"X-Integration": "999999"},
        )
        # Signed: the sender of an archived integration is told, and its manager
        # sees the refusal.
        self.integration.active = False
        self.assertRefusedWith(403, "inactive", stored=True, payload=self._call())
        self.integration.active = True
        old_secret = self.integration.secret
        self.integration.action_rotate_secret()
        self.assertRefusedWith(
            401, "wrong signature", payload=self._call(), secret=old_secret
        )
        self.assertEqual(self._post(self._call()).status_code, 200)

    def test_two_hundred_unsigned_requests(self):
        """Unsigned, badly signed, stale: however many, they leave no trace in the
        database."""
        before = self._counts()
        body = json.dumps(self._call()).encode()
        now = int(time.time())
        variants = [
            {"X-Signature": None},
            {"X-Signature": sign("not the secret", now, body, self.integration.id)},
            {"X-Signature": "0" * 64},
            {"X-Timestamp": str(now - 3600)},
        ]
        statuses = {
            self._post(body=body, headers=variants[i % len(variants)]).status_code
            for i in range(200)
        }
        self.assertEqual(statuses, {401})
        self.assertAdded(before)

    def test_body(self):
        self.assertRefusedWith(413, "64 KiB", payload=self._call(message="x" * 70000))
        self.assertRefusedWith(
            413, "64 KiB", payload=self._call(message="x" * 70000), chunked=True
        )
        for fragment, body in (
            ("malformed JSON", b'{"type": "call",'),
            ("malformed JSON", b'{"type": "\xc3\x28"}'),
            ("malformed JSON", b"[" * 60000),
            ("JSON object", b"[1, 2]"),
            ("JSON object", b'"call"'),
            ("JSON object", b"null"),
        ):
            with self.subTest(body=body[:20]):
                self.assertRefusedWith(400, fragment, stored=True, body=body)

    def test_payload(self):
        for fragment, payload in (
            ("'type'", {"event_id": "e"}),
            ("'event_id'", self._call(event_id="")),
            ("'event_id'", self._call(event_id=True)),
            ("'event_id'", self._call(event_id=1.5)),
            ("'caller_number'", self._call(caller_number=None)),
            ("'tracking_number'", self._call(tracking_number="")),
            ("'answered'", self._call(answered="yes")),
            ("'answered'", self._call(answered=1)),
            ("'answered'", self._call(answered=None)),
            ("'duration'", self._call(duration=-3)),
            ("'duration'", self._call(duration=86401)),
            ("'duration'", self._call(duration=10**30)),
            ("'duration'", self._call(duration=12.5)),
            ("ISO 8601", self._call(started_at="today")),
            ("1900", self._call(started_at="1899-12-31T23:00:00Z")),
            ("1900", self._call(started_at="0001-01-01T00:00:00+05:00")),
            ("2100", self._call(started_at="9999-12-31T23:59:59-23:59")),
            ("future", self._call(started_at="2100-06-01T00:00:00Z")),
            ("'caller_name'", self._call(caller_name=5)),
            ("'caller_name'", self._call(caller_name="Nul\x00Caller")),
            ("'message'", self._call(message="\ud800")),
            ("'email' or 'caller_number'", {"type": "form", "event_id": "f"}),
        ):
            with self.subTest(fragment=fragment, payload=payload):
                self.assertRefusedWith(400, fragment, stored=True, payload=payload)

    def test_refusals_show_on_the_integration_form(self):
        self._post(body=b"[1, 2]")
        self._post(self._call(answered="yes"))
        self._post(self._call(), secret="x")  # unsigned: not shown, not stored
        # What the form reads, as the manager who opens it.
        [values] = self.integration.with_user(self.manager).web_read(
            {"event_ids": {"fields": {"state": {}, "status": {}, "error": {}}}}
        )
        events = values["event_ids"]
        self.assertEqual([e["state"] for e in events], ["refused", "refused"])
        self.assertEqual([e["status"] for e in events], [400, 400])
        self.assertIn("'answered'", events[0]["error"])
        self.assertIn("JSON object", events[1]["error"])

    def test_technical_user_with_more_rights_is_refused(self):
        """An administrator gave the technical user a role: the endpoint stops
        recording until the manager gives the integration a new one."""
        user = self.integration.user_id
        user.groups_id = [Command.link(self.env.ref(COORDINATOR_GROUPS).id)]
        self.assertIn("more rights", self.integration.user_problem)
        self.assertRefusedWith(403, "technical user", payload=self._call())
        self.integration.with_user(self.manager).action_create_technical_user()
        self.assertNotEqual(self.integration.user_id, user)
        self.assertFalse(user.active, "the replaced technical user is archived")
        self.assertFalse(self.integration.user_problem)
        self.assertEqual(self._post(self._call()).status_code, 200)


@tagged("post_install", "-at_install")
class TestInboundEventVisibility(InboundCommon):
    """An event's facts (the caller's number, the recording) are read with its
    lead: a coordinator who may not see the lead does not read them either."""

    def test_coordinators_read_the_events_of_the_leads_they_see(self):
        # A call of the advisor's customer: logged on their lead.
        self.lead.phone = "+32 470 12 34 56"
        answer = self._post(self._call("ev-seen", answered=True, duration=90)).json()
        event = self.env["sales.inbound.event"].search([("event_id", "=", "ev-seen")])
        lead = self.env["crm.lead"].browse(answer["lead_id"])
        self.assertEqual(lead, self.lead)
        self.assertFalse(lead.with_user(self.other_coordinator).has_access("read"))
        domain = [("id", "=", event.id)]
        Event = self.env["sales.inbound.event"]
        self.assertEqual(Event.with_user(self.coordinator).search(domain), event)
        self.assertEqual(Event.with_user(self.manager).search(domain), event)
        other = Event.with_user(self.other_coordinator)
        self.assertFalse(other.search(domain))
        self.assertFalse(other.search([("lead_id", "=", lead.id)]))
        with self.assertRaises(AccessError):
            other.browse(event.id).read(["facts", "lead_id", "started_at"])
        self.assertFalse(Event.with_user(self.coordinator_c2).search(domain))
        # The lead shared with every coordinator of the company: its events too.
        self.company.sales_shared_queue = True
        self.assertEqual(other.search(domain), event)
