import json
import logging
import re
import time

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from ..models.sales_inbound_event import InboundError
from ..tools import telephony

_logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
MAX_SKEW = 5 * 60
# The headers as senders write them, in ASCII: int() also reads other scripts'
# digits, and hmac.compare_digest raises a TypeError on non-ASCII text.
INTEGRATION_HEADER = re.compile(r"[0-9]{1,10}")
TIMESTAMP_HEADER = re.compile(r"[0-9]{1,12}")
SIGNATURE_HEADER = re.compile(r"[0-9a-fA-F]{64}")
MAX_ID = 2**31 - 1  # PostgreSQL's integer
BODY_KEY = "sales_coordination.inbound.body"
PROVIDERS = ("generic", "twilio", "callrail")
FORM = "application/x-www-form-urlencoded"


def _not_signed(reason):
    """The one answer to a request the database cannot verify (an unknown
    integration, one of another provider, a wrong address token or signature):
    the same status and body whatever the reason, so that no stranger learns
    which integrations exist or what they take. The reason goes to the log."""
    return InboundError(401, "wrong signature", reason=reason)


class InboundController(http.Controller):
    """Where call-tracking services, telephone systems and web forms post their
    events: signed, checked, recorded once with the integration's own rights.

    A request whose signature does not verify writes nothing to the database: its
    refusal goes to the server log (at INFO) only. Once the signature verified, a
    refusal is also recorded as a refused event of the integration, for its
    manager to see on the integration's form. Before it verified, what the
    database holds never changes the answer (see ``_not_signed``)."""

    @http.route(
        "/sales_coordination/inbound",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def inbound(self, **_params):
        # **_params: a form-encoded body or a query string would otherwise make
        # Odoo warn about arguments the route ignores; the signed body is the input.
        return self._inbound_signed()

    def _inbound_signed(self, address_id=None):
        """A generic event, signed with the integration's secret: the integration
        named by X-Integration, or by the address (``address_id``)."""
        source = None
        try:
            source_id, timestamp, signature = self._headers(address_id)
            body = self._read_body()
            source = self._authenticate(source_id, timestamp, signature, body)
            Event = source.env["sales.inbound.event"]

            def read():
                try:
                    payload = json.loads(body)
                except (UnicodeDecodeError, ValueError, RecursionError):
                    raise InboundError(400, "malformed JSON") from None
                return Event._parse(payload)

            return self._accept(source, read, Event._record)
        except InboundError as error:
            self._refuse(source, error)
            return self._json(error.status, {"error": error.message})

    @http.route(
        [
            "/sales_coordination/inbound/<string:provider>/<int:source_id>",
            "/sales_coordination/inbound/<string:provider>/<int:source_id>/<token>",
        ],
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
        # Werkzeug refuses a longer form (413) before it is parsed.
        max_content_length=MAX_BODY,
    )
    def inbound_provider(self, provider, source_id, token=None, **_params):
        """Where Twilio and CallRail post their own events, each verified its
        own way (and the generic events too, the integration in the address)."""
        source = None
        try:
            if provider not in PROVIDERS:
                raise InboundError(404, f"unknown provider {provider[:20]!r}")
            if provider == "generic":
                if token is not None:
                    raise InboundError(404, "unknown endpoint")
                return self._inbound_signed(source_id)
            found, read = getattr(self, f"_verify_{provider}")(source_id, token)
            source = self._as_integration(found)

            def read_facts():
                try:
                    return read()
                except telephony.PayloadError as error:
                    raise InboundError(400, str(error)) from None

            Event = source.env["sales.inbound.event"]
            return self._accept(source, read_facts, Event._record_provider)
        except InboundError as error:
            self._refuse(source, error)
            return self._json(error.status, {"error": error.message})

    def _verify_twilio(self, source_id, token):
        """The integration ``source_id`` and how to read the facts of its Twilio
        callback, once the signature verifies (raises an InboundError
        otherwise): a form, signed over the address Twilio called (behind a
        proxy, the public one, which Odoo's proxy_mode restores) and the form's
        fields."""
        if token is not None:
            raise InboundError(404, "unknown endpoint")
        httprequest = request.httprequest
        signature = httprequest.headers.get("X-Twilio-Signature", "")
        if not signature:
            raise InboundError(401, "missing X-Twilio-Signature")
        source = self._find_source(source_id, "twilio")
        if not source._check_twilio_signature(
            httprequest.url,
            httprequest.form,
            signature,
            httprequest.headers.get("X-Twilio-Webhooks-Signature-Settings"),
        ):
            raise _not_signed("wrong signature")
        if httprequest.mimetype != FORM:
            raise InboundError(415, f"Twilio posts a form ({FORM})")
        return source, lambda: telephony.read_twilio(
            httprequest.form.to_dict(), fields.Datetime.now()
        )

    def _verify_callrail(self, source_id, token):
        """The integration ``source_id`` and how to read the facts of its
        CallRail call webhook, once verified: posted to the integration's own
        address (its unguessable token) and signed with the company's signing
        key over the raw body. Which webhook it is (ringing, or the call ended)
        is read from the signed body; the address's ``event``, which nobody
        signs, only says whether an ended call's texts are a later change."""
        if token is None:
            raise InboundError(404, "unknown endpoint")
        httprequest = request.httprequest
        event = httprequest.args.get("event", "")
        if event not in telephony.CALLRAIL_EVENTS:
            raise InboundError(
                400,
                "the address's 'event' must be one of: "
                + ", ".join(telephony.CALLRAIL_EVENTS),
            )
        if httprequest.mimetype != "application/json":
            raise InboundError(415, "CallRail posts JSON (application/json)")
        body = self._read_body()
        signature = httprequest.headers.get("Signature", "")
        if not signature:
            raise InboundError(401, "missing Signature")
        source = self._find_source(source_id, "callrail")
        if not source._check_endpoint_token(token):
            raise _not_signed("wrong endpoint token")
        if not source._check_callrail_signature(body, signature):
            raise _not_signed("wrong signature")

        def read():
            try:
                payload = json.loads(body)
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise telephony.PayloadError("malformed JSON") from None
            return telephony.read_callrail(payload, event, fields.Datetime.now())

        return source, read

    def _accept(self, source, read, record):
        """The answer to a request of ``source`` once verified: refused while
        the integration is inactive, else what ``read()`` made of the body (an
        InboundError when it cannot) recorded by ``record(source, values)``, in
        a savepoint: a rule's refusal leaves nothing half-written and becomes a
        422."""
        if not source.active:
            raise InboundError(403, "integration is inactive")
        values = read()
        try:
            with request.env.cr.savepoint():
                answer = record(source, values)
        except (UserError, ValidationError, AccessError) as error:
            raise InboundError(422, str(error)) from None
        return self._json(200, answer)

    def _headers(self, address_id=None):
        """X-Integration (as a number), X-Timestamp and X-Signature, checked for
        their form and the timestamp for its age, without the database. With
        ``address_id`` (the integration the address names), X-Integration may be
        left out, and must name the same one if sent."""
        headers = request.httprequest.headers
        integration = headers.get("X-Integration", "")
        if address_id is not None:
            if integration and integration != str(address_id):
                raise InboundError(401, "X-Integration names another integration")
            integration = str(address_id)
        if not INTEGRATION_HEADER.fullmatch(integration) or int(integration) > MAX_ID:
            raise InboundError(401, "missing or malformed X-Integration")
        signature = headers.get("X-Signature", "")
        if not signature:
            raise InboundError(401, "missing X-Signature")
        if not SIGNATURE_HEADER.fullmatch(signature):
            raise InboundError(401, "malformed X-Signature (64 hex digits expected)")
        timestamp = headers.get("X-Timestamp", "")
        if not TIMESTAMP_HEADER.fullmatch(timestamp):
            raise InboundError(401, "missing or malformed X-Timestamp")
        if abs(time.time() - int(timestamp)) > MAX_SKEW:
            raise InboundError(401, "X-Timestamp more than 5 minutes away")
        return int(integration), timestamp, signature

    def _read_body(self):
        """The raw body, read up to MAX_BODY + 1 bytes whatever Content-Length says
        (or does not say: a chunked request has none)."""
        environ = request.httprequest.environ
        # The stream reads once, and Odoo runs the route again after a
        # serialization failure (a concurrent duplicate): keep the body for that
        # second run in the request's environ, which lives as long as the request.
        if BODY_KEY not in environ:
            environ[BODY_KEY] = self._read_stream()
        return environ[BODY_KEY]

    def _read_stream(self):
        length = request.httprequest.content_length
        if length is not None and length > MAX_BODY:
            raise InboundError(413, "body over 64 KiB")
        # Odoo's HTTPRequest passes on a fixed list of werkzeug's attributes, and
        # ``stream`` is not in it: only werkzeug's own request bounds the read
        # (get_data would read a chunked body of any size).
        stream = request.httprequest._HTTPRequest__wrapped.stream
        chunks, size = [], 0
        while size <= MAX_BODY:
            chunk = stream.read(MAX_BODY + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BODY:
            raise InboundError(413, "body over 64 KiB")
        return b"".join(chunks)

    def _find_source(self, source_id, provider):
        """The integration ``source_id`` taking ``provider``'s events, to verify
        the request with (as superuser); the one refusal of ``_not_signed``
        when there is none."""
        if source_id > MAX_ID:
            raise _not_signed(f"unknown integration {source_id}")
        # sudo: nobody is logged in yet; the secret is what proves who is calling,
        # and this only reads the integration to check it.
        source = (
            request.env["sales.inbound.source"]
            .sudo()
            .with_context(active_test=False)
            .browse(source_id)
            .exists()
        )
        if not source:
            raise _not_signed(f"unknown integration {source_id}")
        if source.provider != provider:
            raise _not_signed(
                f"integration {source_id} takes {source.provider} events, "
                f"not {provider}"
            )
        return source

    def _authenticate(self, source_id, timestamp, signature, body):
        """The integration, as its technical user in its company only (never the
        superuser), once the signature checks out."""
        source = self._find_source(source_id, "generic")
        if not source._check_signature(timestamp, body, signature):
            raise _not_signed("wrong signature")
        return self._as_integration(source)

    def _as_integration(self, source):
        """``source`` as its technical user in its company only (never the
        superuser)."""
        problem = source._technical_user_problem()
        if problem:
            _logger.info("Inbound integration %s cannot record: %s", source.id, problem)
            raise InboundError(403, "the integration has no valid technical user")
        company = source.company_id
        env = request.env(
            user=source.user_id.id,
            su=False,
            context=dict(
                request.env.context,
                allowed_company_ids=company.ids,
                active_test=True,
                tracking_disable=False,
                # The technical user follows nothing it creates.
                mail_create_nosubscribe=True,
            ),
        )
        return env["sales.inbound.source"].with_company(company).browse(source.id)

    def _refuse(self, source, error):
        """Log the refusal; the integration records it once the request was
        authenticated (``source``, as its technical user), never before: an
        unsigned request writes nothing."""
        httprequest = request.httprequest
        _logger.info(
            "Inbound request refused (%s %s): %s, X-Integration %r, from %s",
            error.status,
            error.reason,
            httprequest.path[:120],
            httprequest.headers.get("X-Integration", "")[:20],
            httprequest.remote_addr,
        )
        if source is not None:
            source._record_refusal(error.status, error.message)

    def _json(self, status, data):
        return request.make_json_response(data, status=status)
