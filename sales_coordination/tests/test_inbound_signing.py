"""The webhooks' keys, as a stranger and a careless integrator would try them: a
short secret, two integrations given one secret, an unsigned CallRail address
parameter, and the answers that would tell a stranger which integrations exist."""

import json
import time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.sales_coordination.tools.signing import sign

from .test_telephony import TelephonyCommon

SHARED = "one-secret-for-two-integrations-0123456789"


@tagged("post_install", "-at_install")
class TestInboundSecrets(TelephonyCommon):
    def test_a_secret_is_generated_long_and_shown_once(self):
        Source = self.env["sales.inbound.source"].with_user(self.manager)
        source = Source.create({"name": "Generated"})
        self.assertGreaterEqual(len(source.secret), 32)
        action = source.action_rotate_secret()
        self.assertIn(source.secret, action["params"]["message"])
        # The form shows it before the first save only.
        arch = Source.get_view(view_type="form")["arch"]
        self.assertIn("invisible=\"id or provider != 'generic'\"", arch)

    def test_a_short_or_empty_secret_is_refused(self):
        Source = self.env["sales.inbound.source"].with_user(self.manager)
        for provider, secret in (
            ("generic", "x"),
            ("generic", "s" * 31),
            ("twilio", "short-token"),
            ("callrail", ""),
        ):
            with self.subTest(provider=provider, secret=secret):
                with self.assertRefused(ValidationError, "at least 32 characters"):
                    Source.create(
                        {"name": "Short", "provider": provider, "secret": secret}
                    )
        with self.assertRefused(ValidationError, "at least 32 characters"):
            self.integration.with_user(self.manager).secret = "0123456789"

    def test_an_older_short_secret_keeps_working_until_rotated(self):
        # A database upgraded with an integration saved before the rule.
        self.env.cr.execute(
            SQL(
                "UPDATE sales_inbound_source SET secret = %s WHERE id = %s",
                "short",
                self.integration.id,
            )
        )
        self.integration.invalidate_recordset(["secret"])
        response = self._post(self._call("ev-short"))
        self.assertEqual(response.status_code, 200, response.text)
        self.integration.with_user(self.manager).name = "Renamed, secret kept"
        self.integration.with_user(self.manager).action_rotate_secret()
        self.assertGreaterEqual(len(self.integration.secret), 32)


@tagged("post_install", "-at_install")
class TestInboundSignedIntegration(TelephonyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration.secret = SHARED
        cls.other = cls.env["sales.inbound.source"].create(
            {"name": "Another sender", "secret": SHARED}
        )

    def _signed(self, payload, integration, signed_for, legacy=False):
        body = json.dumps(payload).encode()
        timestamp = str(int(time.time()))
        return self._post(
            body=body,
            integration=integration,
            headers={
                "X-Timestamp": timestamp,
                "X-Signature": sign(
                    SHARED, timestamp, body, None if legacy else signed_for.id
                ),
            },
        )

    def test_one_integrations_request_is_not_anothers(self):
        before = self._counts()
        # Signed for the first integration, sent as the second: same secret.
        response = self._signed(self._call("ev-x"), self.other, self.integration)
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json(), {"error": "wrong signature"})
        self.assertAdded(before)
        response = self._signed(self._call("ev-x"), self.other, self.other)
        self.assertEqual(response.status_code, 200, response.text)

    def test_an_older_sender_keeps_working_with_a_warning(self):
        logger = "odoo.addons.sales_coordination.models.sales_inbound_source"
        with self.assertLogs(logger, "WARNING") as logs:
            response = self._signed(
                self._call("ev-old"), self.integration, None, legacy=True
            )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn(f"integration {self.integration.id} signed", logs.output[0])
        self.assertIn("<timestamp>.<X-Integration>.<body>", logs.output[0])


@tagged("post_install", "-at_install")
class TestInboundNoOracle(TelephonyCommon):
    """Whether an id exists, and which provider it takes, is never told apart
    from a wrong signature."""

    def _same(self, responses):
        answers = {
            label: (response.status_code, response.text)
            for label, response in responses.items()
        }
        self.assertEqual(
            set(answers.values()),
            {(401, json.dumps({"error": "wrong signature"}))},
            answers,
        )

    def test_generic_endpoint(self):
        missing = self.integration.search([], order="id desc", limit=1).id + 1000
        body = json.dumps(self._call()).encode()
        timestamp = str(int(time.time()))
        self._same(
            {
                "unknown id": self._post(
                    body=body,
                    headers={
                        "X-Integration": str(missing),
                        "X-Timestamp": timestamp,
                        "X-Signature": sign("guess", timestamp, body, missing),
                    },
                ),
                "wrong signature": self._post(self._call(), secret="guess" * 8),
                "a Twilio id": self._post(
                    self._call(), integration=self.twilio, secret="guess" * 8
                ),
                "a CallRail id, by address": self.url_open(
                    f"/sales_coordination/inbound/generic/{self.callrail.id}",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Timestamp": timestamp,
                        "X-Signature": sign("guess", timestamp, body, 1),
                    },
                ),
            }
        )

    def test_provider_endpoints(self):
        missing = self.integration.search([], order="id desc", limit=1).id + 1000
        params = self._status(sid="CAORACLE")
        payload = self._callrail(call_id="CALORACLE")
        before = self._counts()
        self._same(
            {
                "Twilio, unknown id": self._post_twilio(
                    params, integration=self.twilio.browse(missing)
                ),
                "Twilio, a CallRail id": self._post_twilio(
                    params, integration=self.callrail
                ),
                "Twilio, a generic id": self._post_twilio(
                    params, integration=self.integration
                ),
                "Twilio, wrong signature": self._post_twilio(
                    params, signed_url=self._twilio_url() + "0"
                ),
                "CallRail, unknown id": self._post_callrail(
                    payload,
                    integration=self.callrail.browse(missing),
                    token=self.callrail.endpoint_token,
                ),
                "CallRail, a Twilio id": self._post_callrail(
                    payload,
                    integration=self.twilio,
                    token=self.callrail.endpoint_token,
                ),
                "CallRail, wrong token": self._post_callrail(payload, token="0" * 43),
                "CallRail, wrong signature": self._post_callrail(
                    payload, key="not the key"
                ),
            }
        )
        self.assertAdded(before)


@tagged("post_install", "-at_install")
class TestCallRailEventFromBody(TelephonyCommon):
    def test_the_address_cannot_end_a_ringing_call(self):
        """A stranger who caught a pre-call webhook posts it again to the
        post-call address: the call is still ringing, no missed call is logged,
        nobody is asked to call back."""
        ringing = self._callrail(call_id="CALRING", event="pre_call")
        self.assertEqual(
            self._post_callrail(ringing, event="pre_call").status_code, 200
        )
        before = self._counts()
        for event in ("post_call", "call_modified"):
            with self.subTest(event=event):
                response = self._post_callrail(ringing, event=event)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn("'answered'", response.json()["error"])
        self.assertAdded(before, sales_inbound_event=2)
        self.assertFalse(self._calls(self.callrail))
        self.assertFalse(
            self.env["sales.followup"].search(
                [("lead_id.phone_sanitized", "=", "+13125550142")]
            )
        )

    def test_an_ended_call_posted_to_the_pre_call_address_ends(self):
        answer = self._post_callrail(
            self._callrail(call_id="CALENDED"), event="pre_call"
        ).json()
        call = self.env["sales.call"].browse(answer["call_id"])
        self.assertEqual((call.result, call.duration), ("connected", 142))
