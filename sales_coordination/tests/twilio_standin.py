"""A local stand-in for Twilio's Calls API, as Odoo's calendar-sync tests replace
Google's: a small HTTP server on 127.0.0.1 that answers the requests the dialer
makes (create a call, update a call) in the shape Twilio documents, checks the
account's Basic credentials, and refuses on demand with Twilio's own errors."""

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

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

    def __init__(self, account_sid, auth_token):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests = []
        self.refuse = None
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
            return 201, self._call("CA" + secrets.token_hex(16), form, "queued")
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
