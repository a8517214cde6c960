import json
import logging
import time

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from ..models.sales_inbound_event import InboundError

_logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
MAX_SKEW = 5 * 60


class InboundController(http.Controller):
    """Where call-tracking services, telephone systems and web forms post their
    events: signed, checked, recorded once with the integration's own rights."""

    @http.route(
        "/sales_coordination/inbound",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def inbound(self):
        source = None
        try:
            body = self._read_body()
            source = self._integration()
            self._authenticate(source, body)
            try:
                payload = json.loads(body)
            except (UnicodeDecodeError, ValueError):
                raise InboundError(400, "malformed JSON") from None
            Event = self._event_env(source)
            values = Event._parse(payload)
            try:
                with request.env.cr.savepoint():
                    answer = Event._record(source, values)
            except (UserError, ValidationError, AccessError) as error:
                raise InboundError(422, str(error)) from None
            return self._json(200, answer)
        except InboundError as error:
            if source:
                self._log_refusal(source, error)
            return self._json(error.status, {"error": error.message})

    def _read_body(self):
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is not None and length > MAX_BODY:
            raise InboundError(413, "body over 64 KiB")
        body = httprequest.get_data(cache=True)
        if len(body) > MAX_BODY:
            raise InboundError(413, "body over 64 KiB")
        return body

    def _integration(self):
        """The integration named by X-Integration (not yet trusted)."""
        headers = request.httprequest.headers
        try:
            source_id = int(headers.get("X-Integration", ""))
        except ValueError:
            raise InboundError(401, "missing or malformed X-Integration") from None
        # sudo: nobody is logged in yet; the secret is what proves who is calling.
        source = (
            request.env["sales.inbound.source"]
            .sudo()
            .with_context(active_test=False)
            .browse(source_id)
            .exists()
        )
        if not source:
            raise InboundError(401, "unknown integration")
        return source

    def _authenticate(self, source, body):
        """Refuse unless the signature and the timestamp check out and the
        integration is active."""
        headers = request.httprequest.headers
        timestamp = headers.get("X-Timestamp", "")
        signature = headers.get("X-Signature", "")
        if not signature:
            raise InboundError(401, "missing X-Signature")
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            raise InboundError(401, "missing or malformed X-Timestamp") from None
        if skew > MAX_SKEW:
            raise InboundError(401, "X-Timestamp more than 5 minutes away")
        if not source._check_signature(timestamp, body, signature):
            raise InboundError(401, "wrong signature")
        if not source.active:
            raise InboundError(403, "integration is inactive")

    def _event_env(self, source):
        """sales.inbound.event as the integration's technical user, in its
        company only (no superuser)."""
        company = source.company_id
        env = request.env(
            user=source.user_id.id,
            su=False,
            context=dict(
                request.env.context,
                allowed_company_ids=company.ids,
                active_test=True,
                tracking_disable=False,
            ),
        )
        return env["sales.inbound.event"].with_company(company)

    def _log_refusal(self, source, error):
        # sudo: the refusal log is the integration's, whoever was refused.
        request.env["sales.inbound.event"].sudo().create(
            {
                "source_id": source.id,
                "state": "refused",
                "status": error.status,
                "error": error.message[:250],
            }
        )

    def _json(self, status, data):
        return request.make_json_response(data, status=status)
