"""The dialer: Next call dials through Twilio (replaced by a local stand-in of
its Calls API), and Twilio's callbacks, built and signed as Twilio sends them,
log what the line said through the queue."""

import json
import random
from collections import Counter
from datetime import datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlencode

from freezegun import freeze_time
from twilio.request_validator import RequestValidator

from odoo import sql_db
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME
from odoo.tools import SQL, mute_logger

from odoo.addons.bus.models.bus import ODOO_NOTIFY_FUNCTION, get_notify_payloads
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from ..models.sales_followup import OPEN_STATES
from ..tools.twilio_standin import (
    DEMO_RATES,
    INVALID_TO,
    NO_FUNDS,
    SimulatedLine,
    TwilioStandIn,
    random_answers,
)
from .common import SalesCoordinationCommon

ACCOUNT = "AC" + "1" * 32
TOKEN = "0123456789abcdef0123456789abcdef"
AGENT = "+13125550142"
CUSTOMER = "+13125550177"
CALLER_ID = "+12175550100"
MACHINE = (
    "machine_start",
    "machine_end_beep",
    "machine_end_silence",
    "machine_end_other",
    "fax",
)
QUIET = "odoo.addons.sales_coordination.controllers.dialer"


class DialerCommon(SalesCoordinationCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.twilio = TwilioStandIn(ACCOUNT, TOKEN).start()
        cls.addClassCleanup(cls.twilio.stop)
        cls.Followup = cls.env["sales.followup"]
        cls.Followup.search([("state", "in", OPEN_STATES)]).write(
            {"state": "cancelled"}
        )
        # This test's integration places the calls (the demo's simulated
        # line, when the database has demo data, would be the first).
        cls.env["sales.inbound.source"].search([("dialer_enabled", "=", True)]).write(
            {"dialer_enabled": False}
        )
        cls.integration = cls.env["sales.inbound.source"].create(
            {
                "name": "Twilio dialer",
                "provider": "twilio",
                "secret": TOKEN,
                "account_sid": ACCOUNT,
                "api_url": cls.twilio.url,
                "dialer_enabled": True,
                "dialer_caller_id": CALLER_ID,
            }
        )
        cls.coordinator.sales_dialer_phone = AGENT
        cls.lead.phone = CUSTOMER
        # Any hour passes, unless a test says otherwise.
        cls.company.write({"sales_dialer_hour_start": 0, "sales_dialer_hour_end": 24})

    def setUp(self):
        super().setUp()
        self.twilio.requests.clear()
        self.twilio.refuse = None
        # The bus's older messages (the database may hold what other runs
        # committed) are not this test's news.
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM bus_bus")
        [self.bus_start] = self.env.cr.fetchone()
        now = datetime.now().replace(microsecond=0)
        self.followup = self.Followup.create(
            {
                "lead_id": self.lead.id,
                "kind": "callback",
                "window_start": now - timedelta(hours=1),
                "window_end": now + timedelta(hours=3),
            }
        )

    def _claim(self, user=None):
        followup = self.Followup.with_user(user or self.coordinator).claim_next()
        self.assertEqual(followup, self.followup)
        return followup

    def _due_again(self):
        now = datetime.now().replace(microsecond=0)
        self.followup.write(
            {
                "window_start": now - timedelta(hours=1),
                "window_end": now + timedelta(hours=3),
            }
        )

    def _dial(self, user=None):
        """Claim the call, then dial it: Next call's two steps (one request,
        two cursors), or the Dial action after a claim."""
        self._claim(user)
        return self.followup.with_user(user or self.coordinator).action_dial()

    def _refused(self, fragment, user=None, claim=True):
        """Dial and expect a refusal naming ``fragment``; returns the follow-up,
        read again. (No assertRaises: its savepoint would also roll back the
        release, which is committed apart from the refused request.)"""
        if claim:
            self._claim(user)
        try:
            self.followup.with_user(user or self.coordinator).action_dial()
        except UserError as error:
            self.assertIn(fragment, str(error))
        else:
            self.fail(f"dialled although {fragment!r}")
        self.env.invalidate_all()
        return self.followup

    def _assert_back_in_queue(self):
        self.env.invalidate_all()
        self.assertEqual(self.followup.state, "queued")
        self.assertFalse(self.followup.claimed_by_id)
        self.assertFalse(self.followup.call_ids, "nothing logged that did not happen")

    # Twilio's callbacks ------------------------------------------------

    def _url(self, leg, token=None, integration=None):
        integration = integration or self.integration
        url = f"{self.base_url()}/sales_coordination/dialer/twilio/{integration.id}"
        return f"{url}?leg={leg}" + (f"&dial={token}" if token else "")

    def _post(self, call, leg, params, token=None, signature=None, url=None):
        token = call.dial_token if token is None and leg != "agent" else token
        url = url or self._url(leg, token)
        signed = RequestValidator(TOKEN).compute_signature(url, params)
        return self.url_open(
            url,
            data=urlencode(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature or signed,
            },
        )

    def _base(self, call, sid):
        return {
            "AccountSid": ACCOUNT,
            "CallSid": sid,
            "ApiVersion": "2010-04-01",
            "Timestamp": format_datetime(datetime.now().astimezone()),
        }

    def _agent(self, call, status, **values):
        params = {
            **self._base(call, call.provider_call_id),
            "CallStatus": status,
            "From": CALLER_ID,
            "To": AGENT,
            "Direction": "outbound-api",
            "CallbackSource": "call-progress-events",
            **values,
        }
        return self._post(call, "agent", params)

    def _customer(self, call, status, duration=None, **values):
        params = {
            **self._base(call, "CA" + "c" * 32),
            "ParentCallSid": call.provider_call_id,
            "CallStatus": status,
            "From": CALLER_ID,
            "To": CUSTOMER,
            "Direction": "outbound-dial",
            "CallbackSource": "call-progress-events",
            **values,
        }
        if duration is not None:
            params["CallDuration"] = str(duration)
        return self._post(call, "customer", params)

    def _amd(self, call, answered_by):
        params = {
            **self._base(call, "CA" + "c" * 32),
            "AnsweredBy": answered_by,
            "MachineDetectionDuration": "2300",
        }
        return self._post(call, "amd", params)

    def _news(self, key):
        """The payloads of the dialer's news carrying ``key``, oldest first
        (the bus's values are written before the cursor's commit)."""
        self.env.cr.flush()
        return [
            message["payload"]
            for message in map(
                json.loads,
                self.env["bus.bus"]
                .search([("id", ">", self.bus_start)], order="id")
                .mapped("message"),
            )
            if message["type"] == "sales_coordination/dialer"
            and key in message["payload"]
        ]

    def _due_call(self, name, phone, **lead_values):
        """A customer's call due as urgently as the class's, created after it
        (Next call takes the class's first): its follow-up."""
        lead = self.env["crm.lead"].create(
            {"name": name, "phone": phone, "user_id": self.advisor.id, **lead_values}
        )
        return self.Followup.create(
            {
                "lead_id": lead.id,
                "kind": "callback",
                "window_start": self.followup.window_start,
                "window_end": self.followup.window_end,
                "quote_date": self.followup.quote_date,
            }
        )

    def _ok(self, response):
        self.assertEqual(response.status_code, 200, response.text)

    def _read(self, call):
        self.env.invalidate_all()
        return call.exists()


@tagged("post_install", "-at_install")
class TestDialing(DialerCommon):
    def test_dial_rings_the_coordinator_then_the_customer(self):
        call = self._dial()
        self.assertEqual(len(call), 1)
        self.assertEqual(
            (call.direction, call.result, call.answered_by, call.user_id),
            ("out", False, False, self.coordinator),
        )
        self.assertEqual(call.followup_id, self.followup)
        self.assertTrue(call.provider_call_id.startswith("CA"))
        [form] = self.twilio.created()
        self.assertEqual((form["To"], form["From"]), (AGENT, CALLER_ID))
        self.assertIn(f'callerId="{CALLER_ID}"', form["Twiml"])
        self.assertIn(f">{CUSTOMER}</Number>", form["Twiml"])
        self.assertIn('machineDetection="DetectMessageEnd"', form["Twiml"])
        self.assertIn(f"dial={call.dial_token}", form["Twiml"])
        self.assertEqual(form["StatusCallback"], self._url("agent", call.dial_token))
        # Over RPC, the call's id; a second press dials nothing more.
        again = call_kw(
            self.Followup.with_user(self.coordinator),
            "action_dial",
            [self.followup.ids],
            {},
        )
        self.assertEqual(again, call.id)
        self.assertEqual(len(self.twilio.created()), 1)
        self.assertEqual(self.followup.state, "claimed", "the coordinator keeps it")
        self.assertEqual(self.followup.attempt_count, 0)
        self.assertFalse(self.lead.first_contact_date, "nobody reached yet")

    def test_the_sources_tracking_number_is_the_caller_id(self):
        self.env["sales.tracking.number"].create(
            {"number": "+1 217 555 0111", "source_id": self.source.id}
        )
        self._dial()
        [form] = self.twilio.created()
        self.assertEqual(form["From"], "+12175550111")

    def test_refusals_put_the_call_back_in_the_queue(self):
        def no_phone():
            self.coordinator.sales_dialer_phone = False

        def blacklisted():
            self.env["phone.blacklist"].create({"number": CUSTOMER})

        def do_not_call():
            self.lead.sales_do_not_call = True

        def wrong_number():
            self.lead.sudo()._sales_write_workflow({"sales_wrong_number": True})

        def refusing(error):
            def refuse():
                self.twilio.refuse = error

            return refuse

        def unreachable():
            self.integration.api_url = "http://127.0.0.1:9"

        def bad_token():
            self.integration.secret = "x" * 32

        cases = {
            "Set your own phone number": no_phone,
            "phone blacklist": blacklisted,
            "asked not to be called": do_not_call,
            "wrong number": wrong_number,
            "Twilio refused the call (20003": bad_token,
            "Twilio refused the call (21211": refusing(INVALID_TO),
            "Twilio refused the call (20005": refusing(NO_FUNDS),
            "Twilio cannot be reached": unreachable,
        }
        # The customer's: Next call leaves the call aside for a day (the next
        # press must not meet the same refusal); the coordinator's or Twilio's
        # own: back in the queue as it was.
        held = {"phone blacklist", "asked not to be called", "wrong number"}
        for fragment, prepare in cases.items():
            with self.subTest(fragment), self.env.cr.savepoint(flush=False) as sp:
                prepare()
                self.env.flush_all()
                now = datetime.now()
                with mute_logger("odoo.addons.sales_coordination.models.sales_dialer"):
                    self._refused(fragment)
                self._assert_back_in_queue()
                if fragment in held:
                    self.assertGreater(
                        self.followup.held_until, now + timedelta(hours=23)
                    )
                    self.assertFalse(
                        self.Followup.with_user(self.coordinator).claim_next()
                    )
                    self.assertIn(fragment, self.followup.lead_id.message_ids[:1].body)
                else:
                    self.assertFalse(self.followup.held_until)
                sp.rollback()
                self.env.invalidate_all()

    def test_a_held_call_lets_the_next_one_through(self):
        self.lead.sales_do_not_call = True
        other = self.Followup.create(
            {
                "lead_id": self.lead_2.id,
                "kind": "callback",
                "window_start": self.followup.window_start,
                "window_end": self.followup.window_end,
            }
        )
        self.lead_2.phone = "+1 217 555 0199"
        self.other_coordinator.sales_dialer_phone = "+1 217 555 0142"
        with mute_logger("odoo.addons.sales_coordination.models.sales_dialer"):
            self._refused("asked not to be called")
        Followup = self.Followup.with_user(self.other_coordinator)
        self.assertEqual(Followup.claim_next(), other)
        self.assertEqual(
            other.with_user(self.other_coordinator).action_dial().lead_id, self.lead_2
        )
        # A day later the held call is due again.
        with freeze_time(datetime.now() + timedelta(days=1, minutes=1)):
            self.assertEqual(
                self.Followup.with_user(self.coordinator).claim_next(),
                self.followup,
            )

    def test_calling_hours_in_the_customers_time_zone(self):
        self.company.write({"sales_dialer_hour_start": 8, "sales_dialer_hour_end": 21})
        self.followup.write(
            {
                "window_start": datetime(2031, 3, 4, 0, 0),
                "window_end": datetime(2031, 3, 5, 12, 0),
            }
        )
        # 13:30 UTC: 07:30 in Chicago (the number's zone), too early: Next
        # call leaves it aside until 08:00 there.
        with freeze_time(datetime(2031, 3, 4, 13, 30)):
            followup = self._refused("It is 07:30 for")
            self.assertEqual(followup.state, "queued")
            self.assertEqual(followup.held_until, datetime(2031, 3, 4, 14, 0))
            self.assertFalse(self.Followup.with_user(self.coordinator).claim_next())
        # The contact's own time zone rules: 15:00 in Brussels.
        self.customer.tz = "Europe/Brussels"
        with freeze_time(datetime(2031, 3, 4, 14, 0)):
            call = self._dial()
        self.assertTrue(call)
        # 21:10 in Brussels: too late, until 08:00 there tomorrow.
        self.followup.with_user(self.coordinator).action_release()
        with freeze_time(datetime(2031, 3, 4, 20, 10)):
            self._refused("It is 21:10 for")
        self.assertEqual(self.followup.held_until, datetime(2031, 3, 5, 7, 0))

    def test_next_call_dials_when_the_dialer_is_on(self):
        Followup = self.Followup.with_user(self.coordinator)
        action = Followup.action_next_call()
        self.assertEqual(action["res_model"], "sales.call.outcome", "dialer off")
        self.assertFalse(self.twilio.created())
        self.followup.with_user(self.coordinator).action_release()
        self.coordinator.sales_dialer_on = True
        # One request claims and dials, and opens the call screen.
        screen = call_kw(Followup, "action_next_call", [], {})
        self.assertEqual(screen["type"], "ir.actions.act_window")
        self.assertEqual(screen["res_model"], "sales.call.outcome")
        self.assertEqual(screen["context"], {"default_followup_id": self.followup.id})
        self.assertEqual(len(self.twilio.created()), 1)
        self.env.invalidate_all()
        self.assertEqual(self.followup.claimed_by_id, self.coordinator)
        wizard = (
            self.env["sales.call.outcome"]
            .with_user(self.coordinator)
            .with_context(**screen["context"])
            .create({"choice": "no_answer"})
        )
        self.assertEqual(wizard.dial_call_id, self.followup.call_ids)
        self.assertEqual(wizard.dial_status, "agent queued")
        self.assertTrue(wizard.dial_simulated, "the stand-in on 127.0.0.1")
        # A second press while the phone rings (a double click, a request
        # run again): the same call screen, no second dial.
        self.assertEqual(Followup.action_next_call(), screen)
        self.assertEqual(len(self.twilio.created()), 1)
        # The Dial action, for the clients that still run it after Next
        # call: the call held, already dialled, opens; nothing more is dialled.
        server = self.env.ref("sales_coordination.sales_followup_action_dial")
        self.assertEqual(server.with_user(self.coordinator).run(), screen)
        self.assertEqual(len(self.twilio.created()), 1)
        # Nothing due: the same notification as without the dialer.
        self._ok(self._customer(wizard.dial_call_id, "busy"))
        action = Followup.action_next_call()
        self.assertEqual(action["tag"], "display_notification")
        # The Dial action alone, without a call held, dials nothing.
        with self.assertRaises(UserError):
            server.with_user(self.coordinator).run()
        self.assertEqual(len(self.twilio.created()), 1)

    def test_next_call_refused_says_why_and_puts_the_call_back(self):
        """A refusal of the dial that is not the customer's fails Next call's
        request with its reason (the coordinator reads it), the claim
        released, committed apart from the failed request."""
        self.coordinator.sales_dialer_on = True
        self.twilio.refuse = NO_FUNDS
        self.env.flush_all()
        # (no assertRaises: see _refused)
        try:
            with mute_logger("odoo.addons.sales_coordination.models.sales_dialer"):
                self.Followup.with_user(self.coordinator).action_next_call()
        except UserError as error:
            self.assertIn("Twilio refused the call (20005", str(error))
        else:
            self.fail("dialled although Twilio refused")
        self._assert_back_in_queue()
        self.assertFalse(self.followup.held_until)

    def test_next_call_skips_a_customer_it_must_not_dial(self):
        """A refusal of the customer's holds their call aside (said on the
        lead) and Next call goes on to the next due call in the same press;
        the call screen hears why it skipped one."""
        self.coordinator.sales_dialer_on = True
        self.lead.sales_do_not_call = True
        Followup = self.Followup.with_user(self.coordinator)
        # Nothing else due: Next call says so.
        action = Followup.action_next_call()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["title"], "Nothing due")
        self._assert_back_in_queue()
        self.assertTrue(self.followup.held_until)
        self.assertIn("asked not to be called", self.lead.message_ids[:1].body)
        [[why]] = [news["skipped"] for news in self._news("skipped")]
        self.assertIn("asked not to be called", why)
        self.assertFalse(self.twilio.created())
        # Another call due: the next press dials it (the held one waits).
        second = self._due_call("Dora", "+13125550188")
        screen = Followup.action_next_call()
        self.assertEqual(screen["context"], {"default_followup_id": second.id})
        self.assertEqual(len(self.twilio.created()), 1)

    def test_next_call_skips_a_few_then_stops(self):
        """Six due customers who must not be dialled: one press skips five
        (each held aside, said on the screen) and stops there, dialling
        nothing; the sixth stays in the queue for the next press."""
        self.coordinator.sales_dialer_on = True
        self.lead.sales_do_not_call = True
        followups = self.followup.union(
            *(
                self._due_call(
                    f"Do not call {i}", f"+1312555{2100 + i}", sales_do_not_call=True
                )
                for i in range(5)
            )
        )
        action = self.Followup.with_user(self.coordinator).action_next_call()
        self.assertEqual(action["params"]["title"], "Nothing dialled")
        self.assertFalse(self.twilio.created())
        self.env.invalidate_all()
        held = followups.filtered("held_until")
        self.assertEqual(len(held), 5)
        self.assertEqual(set(followups.mapped("state")), {"queued"})
        self.assertFalse(followups.claimed_by_id)
        [skipped] = [news["skipped"] for news in self._news("skipped")]
        self.assertEqual(len(skipped), 5)

    def test_the_chain_a_coordinator_waits_for_query_count(self):
        """The chain the coordinator waits for between two calls: the final
        callback of a call (it logs what the line said), then Next call, which
        claims the next call and dials it. Counted so that what it costs does
        not creep back: the dial checks the customer's rules and records the
        attempt on one cursor of its own (committed before Twilio is asked),
        and the callback finds its integration and its call in one query each."""
        self.coordinator.sales_dialer_on = True
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": f"Queued customer {i}",
                    "phone": f"+1312555{1000 + i}",
                    "user_id": self.advisor.id,
                }
                for i in range(2)
            ]
        )
        # As urgent as the class's call, to the second: Next call takes the
        # three in the order they were created (a second boundary between
        # them made the later ones more urgent, and the order depend on it).
        self.Followup.create(
            [
                {
                    "lead_id": lead.id,
                    "kind": "callback",
                    "window_start": self.followup.window_start,
                    "window_end": self.followup.window_end,
                    "quote_date": self.followup.quote_date,
                }
                for lead in leads
            ]
        )
        Followup = self.Followup.with_user(self.coordinator)

        def next_call():
            screen = call_kw(Followup, "action_next_call", [], {})
            self.assertEqual(screen["res_model"], "sales.call.outcome")
            followup = self.Followup.browse(screen["context"]["default_followup_id"])
            self.env.invalidate_all()
            [call] = followup.call_ids
            self.assertEqual(call.dial_status, "agent queued")
            self._ok(self._agent(call, "ringing"))
            self._ok(self._agent(call, "in-progress"))
            self._ok(self._customer(call, "ringing"))
            return call

        # The first chain fills the caches that live across requests.
        self._ok(self._customer(next_call(), "no-answer"))
        call = next_call()
        call.read(["provider_call_id", "dial_token"])  # the test's own reads
        # The savepoint around the queue's action_log_call, its flush of the
        # callback's own mark, and the queue's rules of the attempt (the
        # customer's streak, the next window in the coordinator's time zone).
        with self.assertQueryCount(17):
            self._ok(self._customer(call, "no-answer"))
        call = self._read(call)
        self.assertEqual(call.result, "no_answer")
        self.assertEqual(
            (call.followup_id.state, call.followup_id.attempt_count), ("queued", 1)
        )
        # The coordinator, the claim; the dial lock, the follow-up, the
        # ringing check, the coordinator on the dial's cursor, the
        # integration, the lead, the blacklist, the company's hours, the
        # attempt; after Twilio, the call's row locked (a callback may be
        # writing it), the call, its coordinator, the SID, the bus; and the
        # dial's two cursors of its own set to READ COMMITTED (the claim's
        # statement sets it itself).
        with self.assertQueryCount(19):
            next_call_screen = call_kw(Followup, "action_next_call", [], {})
        self.assertEqual(len(self.twilio.created()), 3)
        self.assertEqual(
            next_call_screen["context"]["default_followup_id"],
            self.Followup.search([("lead_id", "=", leads[1].id)]).id,
        )

    def test_per_role(self):
        # An advisor dials nothing.
        with self.assertRaises(AccessError):
            self.followup.with_user(self.advisor).action_dial()
        # Another company's coordinator does not even see the call.
        with self.assertRaises(AccessError):
            self.followup.with_user(self.coordinator_c2).action_dial()
        # Another coordinator does not dial the call the coordinator holds,
        # and leaves it with them.
        self._claim()
        with self.assertRaises(UserError):
            self.followup.with_user(self.backup_coordinator).action_dial()
        self.env.invalidate_all()
        self.assertEqual(self.followup.claimed_by_id, self.coordinator)
        self.assertFalse(self.twilio.created())

    def test_the_dialler_phone_is_the_users_own(self):
        with self.assertRaises(AccessError):
            self.advisor.with_user(self.coordinator).sales_dialer_phone = AGENT
        self.coordinator.with_user(
            self.coordinator
        ).sales_dialer_phone = "+1 312 555 0143"
        with self.assertRaises(ValidationError):
            self.coordinator.with_user(self.coordinator).sales_dialer_phone = "call me"


@tagged("post_install", "-at_install")
class TestDialerCallbacks(DialerCommon):
    def test_unanswered_statuses_log_no_answer(self):
        for status in ("no-answer", "busy", "canceled", "failed"):
            with self.subTest(status), self.env.cr.savepoint() as sp:
                call = self._dial()
                self._ok(self._agent(call, "in-progress"))
                self._ok(self._customer(call, "ringing"))
                self._ok(self._customer(call, status))
                call = self._read(call)
                self.assertEqual(call.result, "no_answer")
                self.assertEqual(self.followup.call_ids, call, "one call per attempt")
                self.assertEqual(self.followup.state, "queued")
                self.assertEqual(self.followup.attempt_count, 1)
                sp.rollback()
                self.env.invalidate_all()

    def test_a_number_that_does_not_exist(self):
        self.company.sales_dialer_wrong_number_failures = 2
        call = self._dial()
        self._ok(self._customer(call, "failed", ErrorCode="13224"))
        call = self._read(call)
        self.assertEqual(call.result, "no_answer", "once may be the network")
        self.assertTrue(call.dial_invalid_number)
        self._due_again()
        call = self._dial()
        self._ok(self._customer(call, "failed", SipResponseCode="404"))
        call = self._read(call)
        self.assertEqual(call.result, "wrong_number")
        self.assertTrue(self.lead.sales_wrong_number)
        self.assertEqual(self.followup.state, "cancelled")

    def test_each_answering_machine_value(self):
        for answered_by in MACHINE:
            with self.subTest(answered_by), self.env.cr.savepoint() as sp:
                call = self._dial()
                self._ok(self._customer(call, "in-progress"))
                self._ok(self._amd(call, answered_by))
                call = self._read(call)
                self.assertEqual(
                    (call.answered_by, call.result), ("machine", "voicemail")
                )
                self.assertFalse(call.dial_voicemail_dropped, "not chosen")
                self.assertEqual(self.followup.state, "queued")
                self.assertEqual(self.followup.attempt_count, 1)
                self._ok(self._customer(call, "completed", duration=31))
                call = self._read(call)
                self.assertEqual(call.duration, 31)
                self.assertEqual(self.followup.attempt_count, 1, "logged once")
                sp.rollback()
                self.env.invalidate_all()

    def test_a_person_answers_and_the_coordinator_picks_the_outcome(self):
        for answered_by, expected in (("human", "human"), ("unknown", "unknown")):
            with self.subTest(answered_by), self.env.cr.savepoint() as sp:
                call = self._dial()
                self._ok(self._customer(call, "in-progress"))
                self._ok(self._amd(call, answered_by))
                call = self._read(call)
                self.assertEqual((call.answered_by, call.result), (expected, False))
                self.assertEqual(self.followup.state, "claimed")
                self._ok(self._customer(call, "completed", duration=75))
                self.followup.with_user(self.coordinator).action_log_call(
                    "connected", outcome="done", duration=70
                )
                call = self._read(call)
                self.assertEqual(self.followup.call_ids, call, "the dialled call")
                self.assertEqual((call.result, call.duration), ("connected", 75))
                self.assertEqual(self.followup.state, "done")
                self.assertTrue(self.lead.first_contact_date)
                sp.rollback()
                self.env.invalidate_all()

    def test_repeats_and_late_callbacks_change_nothing(self):
        call = self._dial()
        for _repeat in range(3):
            self._ok(self._customer(call, "completed", duration=40))
        self._ok(self._amd(call, "machine_end_beep"))
        self._ok(self._amd(call, "machine_end_beep"))
        self._ok(self._customer(call, "ringing"))
        self._ok(self._customer(call, "no-answer"))
        call = self._read(call)
        self.assertEqual((call.result, call.duration), ("voicemail", 40))
        self.assertEqual(call.dial_status, "completed", "never back to ringing")
        self.assertEqual(self.followup.attempt_count, 1)
        self.assertEqual(len(self.followup.call_ids), 1)

    def test_the_coordinators_phone_not_answered(self):
        call = self._dial()
        self._ok(self._agent(call, "in-progress"))
        self._ok(self._agent(call, "ringing"))
        self.assertEqual(self._read(call).dial_status, "agent in-progress")
        self._ok(self._agent(call, "no-answer"))
        self.assertFalse(self._read(call), "no attempt")
        self.assertEqual(self.followup.state, "claimed", "still theirs to dial")
        self.assertEqual(self.followup.attempt_count, 0)
        self.assertFalse(self.followup.call_ids)

    def test_voicemail_drop(self):
        self.company.sales_dialer_voicemail_url = "https://example.com/vm.mp3"
        self.coordinator.sales_dialer_voicemail_drop = True
        call = self._dial()
        self._ok(self._customer(call, "in-progress"))
        self._ok(self._amd(call, "machine_end_beep"))
        updates = [
            form
            for _method, path, form in self.twilio.requests
            if path.endswith("/Calls/CA" + "c" * 32 + ".json")
        ]
        self.assertEqual(len(updates), 1)
        self.assertIn("<Play>https://example.com/vm.mp3</Play>", updates[0]["Twiml"])
        self.assertEqual(self._read(call).result, "voicemail")
        self.assertTrue(call.dial_voicemail_dropped, "counted on the board")
        # The call screen hears of it on the coordinator's bus channel, with
        # what it needs to move on by itself.
        news = [news for news in self._news("call_id") if news["call_id"] == call.id]
        self.assertTrue(news)
        self.assertTrue(news[-1]["logged"])
        self.assertEqual((news[-1]["result"], news[-1]["pause"]), ("voicemail", 5))

    def test_a_late_callback_does_not_log_on_another_coordinators_call(self):
        call = self._dial()
        # The lease ran out and another coordinator took the call.
        self.followup.with_user(self.coordinator).action_release()
        self.followup.with_user(self.backup_coordinator).action_open_call()
        self._ok(self._customer(call, "busy"))
        call = self._read(call)
        self.assertEqual(call.result, "no_answer", "the attempt happened")
        self.assertEqual(self.followup.claimed_by_id, self.backup_coordinator)
        self.assertEqual(self.followup.state, "claimed")
        self.assertEqual(self.followup.attempt_count, 0)

    def test_signed_for_the_public_address(self):
        # Behind a proxy, Twilio signs the public address the dialer gave it
        # (from web.base.url), not the one the request reaches Odoo at.
        public = "https://crm.example.com"
        self.env["ir.config_parameter"].set_param("web.base.url", public)
        call = self._dial()
        [form] = self.twilio.created()
        self.assertEqual(
            form["StatusCallback"],
            f"{public}/sales_coordination/dialer/twilio/{self.integration.id}"
            f"?leg=agent&dial={call.dial_token}",
        )
        local = self._url("customer", call.dial_token)
        params = {
            **self._base(call, "CA" + "c" * 32),
            "ParentCallSid": call.provider_call_id,
            "CallStatus": "no-answer",
        }
        signed = RequestValidator(TOKEN).compute_signature(
            local.replace(self.base_url(), public), params
        )
        self._ok(self._post(call, "customer", params, signature=signed))
        self.assertEqual(self._read(call).result, "no_answer")

    def test_recording(self):
        call = self._dial()
        params = {
            **self._base(call, call.provider_call_id),
            "RecordingSid": "RE" + "9" * 32,
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE9",
            "RecordingStatus": "completed",
            "RecordingDuration": "64",
        }
        self._ok(self._post(call, "recording", params))
        call = self._read(call)
        self.assertEqual(call.recording_duration, 64)
        self.assertTrue(call.recording_url.endswith("/RE9"))

    @mute_logger(QUIET)
    def test_unknown_or_unsigned_callbacks_write_nothing(self):
        call = self._dial()
        before = call.write_date
        stranger = call.new({"provider_call_id": "CA" + "f" * 32})
        cases = {
            "unknown CallSid": (self._agent(stranger, "no-answer"), 404),
            "unknown dial token": (
                self._post(
                    call,
                    "customer",
                    {"CallSid": "CAx", "CallStatus": "busy"},
                    token="nope",
                ),
                404,
            ),
            "another call under the token": (
                self._post(
                    call,
                    "agent",
                    {**self._base(call, "CA" + "e" * 32), "CallStatus": "no-answer"},
                    token=call.dial_token,
                ),
                404,
            ),
            "another parent call": (
                self._customer(call, "busy", ParentCallSid="CA" + "e" * 32),
                404,
            ),
            "wrong signature": (
                self._post(
                    call,
                    "customer",
                    {"CallSid": "CAx", "CallStatus": "busy"},
                    signature="AAAA",
                ),
                401,
            ),
            "unknown leg": (self._post(call, "nope", {"CallSid": "CAx"}), 404),
        }
        for name, (response, status) in cases.items():
            with self.subTest(name):
                self.assertEqual(response.status_code, status, response.text)
        call = self._read(call)
        self.assertFalse(call.result)
        self.assertFalse(call.dial_events)
        self.assertEqual(call.write_date, before)
        self.assertEqual(self.followup.state, "claimed")


@tagged("post_install", "-at_install")
class TestDialerMovesOn(DialerCommon):
    """With a pause of 0 s, the final callback of a call (the one that logs
    what the line said) places the coordinator's next call itself, before it
    answers Twilio; the call screen hears of it on the bus."""

    def setUp(self):
        super().setUp()
        self.coordinator.write({"sales_dialer_on": True, "sales_dialer_pause": 0})
        self.second = self._due_call("Solar tiles for Dora", "+13125550188")
        self.other = self.second.lead_id
        self.Mine = self.Followup.with_user(self.coordinator)

    def _first_call(self):
        screen = call_kw(self.Mine, "action_next_call", [], {})
        self.assertEqual(screen["context"], {"default_followup_id": self.followup.id})
        [call] = self._read(self.followup).call_ids
        self._ok(self._agent(call, "in-progress"))
        self._ok(self._customer(call, "ringing"))
        return call

    def test_the_final_callback_places_the_next_call(self):
        call = self._first_call()
        self.assertFalse(self._news("next"))
        self._ok(self._customer(call, "no-answer"))
        self.assertEqual(self._read(call).result, "no_answer")
        self.assertEqual(self.followup.state, "queued", "logged, back for later")
        # The next call, claimed and dialled by the callback's request.
        self.assertEqual(len(self.twilio.created()), 2)
        self.assertEqual(
            (self.second.state, self.second.claimed_by_id),
            ("claimed", self.coordinator),
        )
        [then] = self.second.call_ids
        self.assertEqual(
            (then.user_id, then.dial_status, then.result),
            (self.coordinator, "agent queued", False),
        )
        self.assertEqual(self.twilio.created()[-1]["To"], AGENT)
        # The call screen opens it: the screen Next call would have given.
        [news] = self._news("next")
        self.assertEqual(news["next"]["res_model"], "sales.call.outcome")
        self.assertEqual(
            news["next"]["context"], {"default_followup_id": self.second.id}
        )
        self.assertIn("Solar tiles for Dora", news["next"]["name"])
        # Twilio sends the callback again: taken once, nothing more dialled.
        self._ok(self._customer(call, "no-answer"))
        self.assertEqual(len(self.twilio.created()), 2)
        self.assertEqual(len(self._news("next")), 1)
        # The next call ends with a machine: the queue is empty now, and
        # the screen hears so (Next call's own notification).
        self._ok(self._customer(then, "in-progress"))
        self._ok(self._amd(then, "machine_end_beep"))
        self.assertEqual(self._read(then).result, "voicemail")
        self.assertEqual(len(self.twilio.created()), 2)
        last = self._news("next")[-1]["next"]
        self.assertEqual(last["tag"], "display_notification")
        self.assertEqual(last["params"]["title"], "Nothing due")

    def test_a_pause_the_dialer_off_or_an_archived_coordinator(self):
        for values in (
            {"sales_dialer_pause": 5},
            {"sales_dialer_on": False},
            # archived since the dial (they left): nothing in their name
            {"active": False},
        ):
            with self.subTest(values), self.env.cr.savepoint() as sp:
                call = self._first_call()
                self.coordinator.write(values)
                self.env.flush_all()
                self._ok(self._customer(call, "busy"))
                self.assertEqual(self._read(call).result, "no_answer")
                self.assertEqual(len(self.twilio.created()), 1, "nothing more")
                self.assertEqual(self.second.state, "queued")
                self.assertFalse(self._news("next"))
                sp.rollback()
                self.env.invalidate_all()
                self.twilio.requests.clear()

    def test_a_person_answers_the_coordinator_moves_on(self):
        call = self._first_call()
        self._ok(self._customer(call, "in-progress"))
        self._ok(self._amd(call, "human"))
        self._ok(self._customer(call, "completed", duration=75))
        self.assertFalse(self._read(call).result, "the coordinator picks it")
        self.assertEqual(len(self.twilio.created()), 1)
        self.assertFalse(self._news("next"))

    def test_a_customer_not_to_dial_is_skipped(self):
        """The next customer must not be dialled: their call is held aside,
        and the one after is placed; the screen says why it skipped one."""
        self.other.sales_do_not_call = True
        after = self._due_call("Third", "+13125550199")
        call = self._first_call()
        self._ok(self._customer(call, "no-answer"))
        self.assertEqual(self._read(call).result, "no_answer", "logged all the same")
        self.assertFalse(self.second.call_ids, "nothing logged that did not happen")
        self.assertEqual(self.second.state, "queued")
        self.assertTrue(self.second.held_until)
        [news] = self._news("skipped")
        self.assertIn("asked not to be called", news["skipped"][0])
        self.assertEqual(len(self.twilio.created()), 2)
        self.assertEqual(
            (after.state, after.claimed_by_id), ("claimed", self.coordinator)
        )
        [news] = self._news("next")
        self.assertEqual(news["next"]["context"], {"default_followup_id": after.id})

    def test_twilio_refusing_the_next_call(self):
        call = self._first_call()
        self.twilio.refuse = NO_FUNDS
        with mute_logger("odoo.addons.sales_coordination.models.sales_dialer"):
            self._ok(self._customer(call, "no-answer"))
        self.assertEqual(self._read(call).result, "no_answer")
        self.assertEqual(
            (self.second.state, self.second.claimed_by_id, self.second.call_ids),
            ("queued", self.env["res.users"], self.env["sales.call"]),
            "back in the queue, unclaimed, nothing logged",
        )
        [news] = self._news("refused")
        self.assertIn("Twilio refused the call (20005", news["refused"])

    def test_a_coordinator_no_longer_is_not_dialled_for(self):
        """The coordinator lost the coordinators' group between the dial and
        its end: the call is logged, nothing is claimed in their name."""
        call = self._first_call()
        self.coordinator.groups_id = [
            (3, self.env.ref("sales_coordination.group_coordinator").id)
        ]
        self.env.flush_all()
        with mute_logger("odoo.addons.sales_coordination.models.sales_dialer"):
            self._ok(self._customer(call, "no-answer"))
        self.assertEqual(len(self.twilio.created()), 1)
        self.assertEqual(self.second.state, "queued")
        self.assertFalse(self._news("next"))

    def test_the_chain_a_coordinator_waits_for_query_count(self):
        """The chain the coordinator waits for between two calls, now one
        request: the final callback logs what the line said, then claims and
        dials the next call. Counted so that what it costs does not creep
        back."""
        self._due_call("Third", "+13125550199")
        # The first chain fills the caches that live across requests.
        self._ok(self._customer(self._first_call(), "no-answer"))
        [call] = self._read(self.second).call_ids
        self._ok(self._agent(call, "in-progress"))
        self._ok(self._customer(call, "ringing"))
        call.read(["provider_call_id", "dial_token"])  # the test's own reads
        # The callback: its integration, its call, the queue's log (as in
        # test_the_chain...); then Next call's claim, the dial on its cursor,
        # the SID after Twilio, the bus; the dial's two cursors set to READ
        # COMMITTED.
        with self.assertQueryCount(39):
            self._ok(self._customer(call, "no-answer"))
        self.assertEqual(len(self.twilio.created()), 3)
        self.assertEqual(self._news("next")[-1]["next"]["name"], "Call Third")


@tagged("post_install", "-at_install")
class TestDialerTour(DialerCommon):
    browser_size = "1400x900"

    def _wake_the_bus(self, _url, _status):
        """What the bus does after a real commit (the test cursor skips its
        post-commit hooks): tell the coordinator's websocket that news
        waits on their channel."""
        channel = (self.env.cr.dbname, "res.partner", self.coordinator.partner_id.id)
        with sql_db.db_connect("postgres").cursor() as cr:
            for payload in get_notify_payloads([channel]):
                cr.execute(
                    SQL(
                        "SELECT %s('imbus', %s)",
                        SQL.identifier(ODOO_NOTIFY_FUNCTION),
                        payload,
                    )
                )

    def test_dialer_tour(self):
        """The coordinator turns the dialer on; Next call rings, a machine
        answers the simulated line, the voicemail is logged by itself and the
        dialer places the next call, which a person answers. With a pause of
        0 s, the callback that logged the voicemail placed it."""
        self._walk(pause=0)
        self.assertEqual(len(self._news("next")), 1, "placed by the callback")

    def test_dialer_tour_with_a_pause(self):
        """The same walk with a pause of 1 s: the call screen counts it and
        presses Next call itself (the callback places nothing). It passed 20
        runs out of 20 on 2026-12-08, 8 of them with both cores busy."""
        self._walk(pause=1)
        self.assertFalse(self._news("next"), "pressed by the call screen")

    def _walk(self, pause):
        self.lead.perceived_need = "Cold rooms upstairs"
        other = self.env["crm.lead"].create(
            {
                "name": "Solar tiles for Dora",
                "type": "opportunity",
                "contact_name": "Dora Dialled",
                "phone": "+13125550188",
                "user_id": self.advisor.id,
            }
        )
        # Between the two, a customer who asked not to be called: Next call
        # skips them, and the screen says why.
        skipped = self._due_call(
            "Eve asked not to be called", "+13125550166", sales_do_not_call=True
        )
        now = datetime.now().replace(microsecond=0)
        second = self.Followup.create(
            {
                "lead_id": other.id,
                "kind": "callback",
                "window_start": now - timedelta(hours=1),
                "window_end": now + timedelta(hours=3),
            }
        )
        self.coordinator.write({"sales_dialer_on": False, "sales_dialer_pause": pause})
        answers = iter(["machine", "human"])
        line = SimulatedLine(
            TOKEN,
            lambda _form: next(answers, "no-answer"),
            delay=0.5,
            after_post=self._wake_the_bus,
            headers=lambda: {
                "Cookie": f"{TEST_CURSOR_COOKIE_NAME}={self.http_request_key}"
            },
        )
        # The call screen hears of the line on Odoo's bus, which tests turn
        # off: on for this tour, as bus's own websocket tests do.
        self.patch(
            WebsocketConnectionHandler, "websocket_allowed", lambda request: True
        )
        self.twilio.line = line
        self.addCleanup(setattr, self.twilio, "line", None)
        # Next call dials in its own request: the web client runs no Dial
        # action after it.
        Followup = type(self.Followup)
        dial_action = Followup._dialer_dial_and_open
        dial_actions = []

        def dial_and_open(followup):
            dial_actions.append(followup.id)
            return dial_action(followup)

        self.patch(Followup, "_dialer_dial_and_open", dial_and_open)
        self.start_tour("/odoo", "sales_coordination_dialer", login="sc_coordinator")
        line.join()
        self.assertFalse(line.errors)
        self.assertFalse(dial_actions, "Next call dialled by itself")
        self.env.invalidate_all()
        self.assertTrue(self.coordinator.sales_dialer_on, "turned on in the tour")
        calls = self.env["sales.call"].search(
            [("followup_id", "in", (self.followup | second).ids)], order="id"
        )
        self.assertEqual(len(calls), 2, "one call each, the second by itself")
        self.assertEqual(len(self.twilio.created()), 2)
        first, then = calls
        self.assertEqual(
            (first.answered_by, first.result, first.duration),
            ("machine", "voicemail", 28),
        )
        self.assertEqual((then.answered_by, then.result), ("human", False))
        self.assertEqual(calls.user_id, self.coordinator)
        self.assertNotEqual(first.followup_id, then.followup_id)
        self.assertEqual(first.followup_id.state, "queued", "back for its next try")
        self.assertEqual(first.followup_id.attempt_count, 1)
        self.assertEqual(then.followup_id.state, "claimed", "the coordinator talks")
        self.assertEqual(then.followup_id, second)
        self.assertFalse(skipped.call_ids, "skipped, never dialled")
        self.assertEqual(skipped.state, "queued")
        self.assertTrue(skipped.held_until)


@tagged("post_install", "-at_install")
class TestDemoLine(DialerCommon):
    def test_the_demo_line_answers_at_the_fields_rates(self):
        answers = random_answers(random.Random(35))
        drawn = Counter(answers({}) for _call in range(10000))
        for outcome, rate in DEMO_RATES:
            self.assertAlmostEqual(drawn[outcome] / 10000, rate, delta=0.02)

    def test_a_real_twilio_is_no_simulated_line(self):
        call = self._dial()
        # (after the dial: the test places no call with Twilio itself)
        self.integration.api_url = "https://api.twilio.com"
        screen = self.followup.with_user(self.coordinator).action_open_call()
        wizard = (
            self.env["sales.call.outcome"]
            .with_user(self.coordinator)
            .with_context(**screen["context"])
            .create({"choice": "no_answer"})
        )
        self.assertEqual(wizard.dial_call_id, call)
        self.assertFalse(wizard.dial_simulated)
