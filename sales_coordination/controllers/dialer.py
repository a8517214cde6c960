import logging

from odoo import http
from odoo.http import request

from ..tools.dialer import LEGS

_logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
MAX_ID = 2**31 - 1
FORM = "application/x-www-form-urlencoded"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class DialerController(http.Controller):
    """Where Twilio posts the progress of the calls the dialer placed: each
    callback verified with Twilio's own RequestValidator, then taken once, on
    the call this database placed (any other gets a 4xx and writes nothing)."""

    @http.route(
        "/sales_coordination/dialer/twilio/<int:source_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
        max_content_length=MAX_BODY,
    )
    def dialer_twilio(self, source_id, **_params):
        httprequest = request.httprequest
        args = httprequest.args
        leg = args.get("leg", "")
        signature = httprequest.headers.get("X-Twilio-Signature", "")
        if leg not in LEGS:
            return self._answer(404, "unknown leg")
        if not signature or not signature.isascii():
            return self._answer(401, "missing X-Twilio-Signature")
        if httprequest.mimetype != FORM:
            return self._answer(415, f"Twilio posts a form ({FORM})")
        source = self._verified_source(source_id, signature)
        if not source:
            return self._answer(401, "wrong signature")
        params = httprequest.form.to_dict()
        call = request.env["sales.call"]._dialer_find(
            source, leg, params, args.get("dial")
        )
        if not call:
            return self._answer(404, "unknown call")
        done = call._dialer_callback(leg, params)
        _logger.info("Dialer callback %s of call %s: %s", leg, call.id, done)
        return request.make_response(EMPTY_TWIML, [("Content-Type", "text/xml")])

    def _verified_source(self, source_id, signature):
        """The dialer's integration ``source_id`` once the request's signature
        verifies with its Auth Token, or None. Twilio signs the address it was
        given: the one the dialer built from web.base.url, which is also the
        request's own behind a proxy in Odoo's proxy_mode."""
        if source_id > MAX_ID:
            return None
        # sudo: nobody is logged in; the Auth Token is what proves who calls,
        # and this only reads the integration to check it (archived or not, as
        # the calls it placed still report), in one query.
        source = (
            request.env["sales.inbound.source"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("id", "=", source_id),
                    ("provider", "=", "twilio"),
                    ("dialer_enabled", "=", True),
                ],
                ["secret", "company_id"],
            )
        )
        if not source:
            return None
        httprequest = request.httprequest
        settings = httprequest.headers.get("X-Twilio-Webhooks-Signature-Settings")
        given = source.dialer_url + "?" + httprequest.query_string.decode("latin-1")
        for url in dict.fromkeys((httprequest.url, given)):
            if source._check_twilio_signature(
                url, httprequest.form, signature, settings
            ):
                return source
        return None

    def _answer(self, status, reason):
        httprequest = request.httprequest
        _logger.info(
            "Dialer callback refused (%s %s): %s from %s",
            status,
            reason,
            httprequest.path[:120],
            httprequest.remote_addr,
        )
        return request.make_json_response({"error": reason}, status=status)
