"""A local stand-in for Twilio's Calls API, as Odoo's calendar-sync tests replace
Google's: a small HTTP server on 127.0.0.1 that answers the requests the dialer
makes (create a call, update a call) in the shape Twilio documents, checks the
account's Basic credentials, and refuses on demand with Twilio's own errors.
With a ``SimulatedLine``, it also plays the telephone network: the signed
callbacks Twilio would post for each call.

The tests use it in-process; ``make demo`` runs it as a program when no Twilio
account is set (``python twilio_standin.py --help``), the line answered at the
rates of the field (``DEMO_RATES``). Only the standard library and ``twilio``:
no Odoo, so that it runs on its own."""

import argparse
import base64
import json
import logging
import random
import secrets
import threading
import time
import urllib.request
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

_logger = logging.getLogger(__name__)

CALLS = "/2010-04-01/Accounts/{sid}/Calls"


def twilio_error(status, code, message):
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


# The refusals tests ask for (Twilio's documented codes).
BAD_CREDENTIALS = twilio_error(401, 20003, "Authenticate")
INVALID_TO = twilio_error(400, 21211, "The 'To' number is not a valid phone number.")
NO_FUNDS = twilio_error(402, 20005, "Account not active")


class TwilioStandIn:
    """``url`` is the base URL to give the integration (``api_url``);
    ``requests`` lists what was asked, as (method, path, form); ``refuse`` set
    to one of the errors above makes the next requests fail with it."""

    def __init__(self, account_sid, auth_token, line=None, port=0):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests = []
        self.refuse = None
        # A SimulatedLine, to play each call created, or None.
        self.line = line
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {
                    key: values if len(values) > 1 else values[0]
                    for key, values in parse_qs(
                        self.rfile.read(length).decode()
                    ).items()
                }
                status, body = standin._answer(
                    self.path, self.headers.get("Authorization", ""), form
                )
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, path, authorization, form):
        self.requests.append(("POST", path, form))
        expected = base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()
        ).decode()
        if authorization != f"Basic {expected}":
            return BAD_CREDENTIALS
        if self.refuse:
            return self.refuse
        calls = CALLS.format(sid=self.account_sid)
        if path == f"{calls}.json":
            call = self._call("CA" + secrets.token_hex(16), form, "queued")
            if self.line:
                self.line.play(call["sid"], form, self.account_sid)
            return 201, call
        if path.startswith(f"{calls}/") and path.endswith(".json"):
            sid = path[len(calls) + 1 : -len(".json")]
            return 200, self._call(sid, form, "in-progress")
        return twilio_error(404, 20404, "The requested resource was not found")

    def _call(self, sid, form, status):
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "to": form.get("To"),
            "from": form.get("From"),
            "status": status,
            "direction": "outbound-api",
            "uri": f"{CALLS.format(sid=self.account_sid)}/{sid}.json",
        }

    def created(self):
        """The forms of the calls created, oldest first."""
        return [
            form for _method, path, form in self.requests if path.endswith("Calls.json")
        ]


class SimulatedLine:
    """The telephone network behind the stand-in: for each call created, it
    posts the callbacks Twilio would, signed with the account's Auth Token as
    Twilio signs them (``RequestValidator``), ``delay`` seconds apart, in a
    thread of its own (the request that placed the call has ended by then).

    ``answers(form)`` says how the customer's line ends: ``"machine"``,
    ``"human"``, ``"no-answer"`` or ``"busy"``; ``after_post(url, status)``,
    when given, runs after each callback was posted; ``headers()``, when
    given, adds its headers to each callback (a test's cookie)."""

    def __init__(self, auth_token, answers, delay=1.0, after_post=None, headers=None):
        self.auth_token = auth_token
        self.answers = answers
        self.delay = delay
        self.after_post = after_post
        self.headers = headers
        self.posted = []
        self.errors = []
        self.threads = []

    def play(self, sid, form, account_sid=""):
        thread = threading.Thread(
            target=self._run,
            args=(sid, {**form, "AccountSid": account_sid}, self.answers(form)),
            daemon=True,
        )
        thread.start()
        self.threads.append(thread)
        return thread

    def join(self, timeout=30):
        """Wait for the calls played so far to end."""
        for thread in self.threads:
            thread.join(timeout)

    def _run(self, sid, form, answer):
        try:
            for url, params in self.callbacks(sid, form, answer):
                time.sleep(self.delay)
                self._post(url, params)
        except Exception as error:  # told to the test or the log
            _logger.info("simulated call %s failed: %r", sid, error)
            self.errors.append(repr(error))

    def callbacks(self, sid, form, answer):
        """The (url, params) Twilio posts for a call to the coordinator's
        phone (``form``: the create request) bridged by its TwiML to the
        customer, who ends as ``answer`` says."""
        number = ElementTree.fromstring(form["Twiml"]).find("Dial/Number")
        customer_sid = "CA" + secrets.token_hex(16)
        common = {"AccountSid": form.get("AccountSid", ""), "ApiVersion": "2010-04-01"}
        agent = {
            **common,
            "CallSid": sid,
            "From": form["From"],
            "To": form["To"],
            "Direction": "outbound-api",
            "CallbackSource": "call-progress-events",
        }
        customer = {
            **common,
            "CallSid": customer_sid,
            "ParentCallSid": sid,
            "From": form["From"],
            "To": number.text,
            "Direction": "outbound-dial",
            "CallbackSource": "call-progress-events",
        }
        status_url = number.get("statusCallback")
        yield form["StatusCallback"], {**agent, "CallStatus": "ringing"}
        yield form["StatusCallback"], {**agent, "CallStatus": "in-progress"}
        yield status_url, {**customer, "CallStatus": "ringing"}
        if answer in ("no-answer", "busy"):
            yield status_url, {**customer, "CallStatus": answer}
            return
        yield status_url, {**customer, "CallStatus": "in-progress"}
        answered_by = "machine_end_beep" if answer == "machine" else "human"
        yield (
            number.get("amdStatusCallback"),
            {
                **common,
                "CallSid": customer_sid,
                "AnsweredBy": answered_by,
                "MachineDetectionDuration": "2400",
            },
        )
        if answer == "machine":
            yield (
                status_url,
                {
                    **customer,
                    "CallStatus": "completed",
                    "CallDuration": "28",
                },
            )

    def _post(self, url, params):
        params = {**params, "Timestamp": formatdate(usegmt=True)}
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = urllib.request.Request(
            url,
            data=urlencode(params).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                **(self.headers() if self.headers else {}),
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
        self.posted.append((url, params.get("CallStatus") or params.get("AnsweredBy")))
        if self.after_post:
            self.after_post(url, status)


# How the demo's line answers (the floor: a person 12% of the time, a
# machine 30%, nobody otherwise).
DEMO_RATES = (("human", 0.12), ("machine", 0.30), ("no-answer", 0.58))


def random_answers(rng=None, rates=DEMO_RATES):
    """An ``answers`` for SimulatedLine drawing each call's end at ``rates``."""
    rng = rng or random.Random()
    outcomes = [outcome for outcome, _rate in rates]
    weights = [rate for _outcome, rate in rates]

    def answers(_form):
        return rng.choices(outcomes, weights)[0]

    return answers


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="A local stand-in for Twilio's Calls API that plays a simulated "
        "telephone line (make demo)."
    )
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument(
        "--delay",
        type=float,
        default=2.5,
        help="seconds between two callbacks of a call (ringing, answered...)",
    )
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="twilio stand-in: %(message)s")
    line = SimulatedLine(
        args.auth_token,
        random_answers(random.Random(args.seed)),
        delay=args.delay,
        after_post=lambda url, status: logging.info("posted %s (%s)", url, status),
    )
    standin = TwilioStandIn(
        args.account_sid, args.auth_token, line=line, port=args.port
    )
    logging.info("listening on %s", standin.url)
    try:
        standin.server.serve_forever()
    except KeyboardInterrupt:
        logging.info("stopped")
    finally:
        standin.server.server_close()


if __name__ == "__main__":
    main()
