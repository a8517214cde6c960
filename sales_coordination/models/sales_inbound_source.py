import hmac
import logging
import secrets

from twilio.request_validator import RequestValidator, get_signature_algorithm

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.signing import sign
from ..tools.telephony import CALLRAIL_EVENTS, callrail_signature

_logger = logging.getLogger(__name__)

INTEGRATION_GROUP = "sales_coordination.group_inbound_integration"
# Below this, an HMAC key can be guessed (and an empty one signs for anybody).
MIN_SECRET_LENGTH = 32
# Roles a technical user must not hold (administrators are refused before): each
# lets the integration see or change more than the events it records.
FORBIDDEN_GROUPS = (
    "sales_coordination.group_manager",
    "sales_coordination.group_coordinator",
    "sales_team.group_sale_salesman",
)


def new_secret():
    """A random secret of 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


class SalesInboundSource(models.Model):
    """A call-tracking service, telephone system or web form that posts its
    events to /sales_coordination/inbound, signed with its own secret."""

    _name = "sales.inbound.source"
    _description = "Inbound Integration"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    provider = fields.Selection(
        [
            ("generic", "Generic (signed JSON)"),
            ("twilio", "Twilio"),
            ("callrail", "CallRail"),
        ],
        required=True,
        default="generic",
        help="Who posts the events, in their own format: any sender signing this "
        "addon's JSON, Twilio's status and recording callbacks, or CallRail's call "
        "webhooks.",
    )
    secret = fields.Char(
        required=True,
        copy=False,
        default=lambda self: new_secret(),
        groups="sales_coordination.group_manager",
        help="What each request is signed with, at least 32 characters. Generic: "
        "generated, shared with the sender, who signs with it (HMAC-SHA256 of the "
        "timestamp, a dot, the integration's id, a dot and the body). "
        "Twilio: the account's Auth Token. CallRail: the company's webhook "
        "signing key.",
    )
    endpoint_token = fields.Char(
        copy=False,
        readonly=True,
        default=lambda self: new_secret(),
        groups="sales_coordination.group_manager",
        help="Part of the CallRail endpoint's address, which nobody can guess.",
    )
    min_lead_duration = fields.Integer(
        string="Shortest Lead Call (s)",
        default=60,
        help="An answered call shorter than this is no lead (a hang-up, a wrong "
        "number, a sales pitch): it is listed under Calls > Not Leads, on the "
        "caller's lead if they have one.",
    )
    ignored_numbers = fields.Text(
        help="Numbers whose calls are never leads, one per line: the company's own "
        "lines, known spammers.",
    )
    webhook_urls = fields.Text(
        string="Webhook Addresses",
        compute="_compute_webhook_urls",
        groups="sales_coordination.group_manager",
        help="What to paste in the telephone service's settings.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Technical User",
        required=True,
        readonly=True,
        copy=False,
        ondelete="restrict",
        domain=[("is_inbound_integration", "=", True)],
        help="The events are recorded with this user's rights, and only those: "
        "created with the integration, for its company alone, it finds callers "
        "among the company's leads and contacts and records leads, contacts, calls "
        "and callbacks. Nobody logs in with it.",
    )
    user_problem = fields.Char(
        compute="_compute_user_problem",
        help="Why the technical user may not record the events, if it may not.",
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator of New Leads",
        help="Takes the leads this integration brings (their calls to make come "
        "to them first).",
    )
    endpoint_url = fields.Char(compute="_compute_endpoint_url", string="Endpoint")
    event_ids = fields.One2many("sales.inbound.event", "source_id", string="Events")
    event_count = fields.Integer(compute="_compute_event_count")

    def _compute_endpoint_url(self):
        base = self.get_base_url()
        for source in self:
            if source.provider == "generic" or not source.id:
                source.endpoint_url = f"{base}/sales_coordination/inbound"
            else:
                source.endpoint_url = (
                    f"{base}/sales_coordination/inbound/{source.provider}/{source.id}"
                )

    @api.depends("provider", "endpoint_token")
    def _compute_webhook_urls(self):
        for source in self:
            url = source.endpoint_url
            if source.provider != "callrail" or not source.id:
                source.webhook_urls = url
                continue
            source.webhook_urls = "\n".join(
                f"{label}: {url}/{source.endpoint_token}?event={event}"
                for event, label in zip(
                    CALLRAIL_EVENTS,
                    (
                        self.env._("Pre-call"),
                        self.env._("Post-call"),
                        self.env._("Call modified"),
                    ),
                    strict=True,
                )
            )

    def _compute_user_problem(self):
        for source in self:
            source.user_problem = (
                source.user_id and source._technical_user_problem()
            ) or False

    def _compute_event_count(self):
        counts = dict(
            self.env["sales.inbound.event"]._read_group(
                [("source_id", "in", self.ids)], ["source_id"], ["__count"]
            )
        )
        for source in self:
            source.event_count = counts.get(source, 0)

    @api.constrains("min_lead_duration", "ignored_numbers")
    def _check_call_rules(self):
        for source in self:
            if source.min_lead_duration < 0:
                raise ValidationError(
                    self.env._("The shortest lead call cannot last less than nothing.")
                )
            source._sales_ignored_e164()

    def _sales_ignored_e164(self):
        """The ignored numbers in E.164 form; a ValidationError names the first
        line that is no phone number."""
        self.ensure_one()
        Lead = self.env["crm.lead"]
        numbers = set()
        for line in (self.ignored_numbers or "").splitlines():
            if not line.strip():
                continue
            e164 = Lead._sales_phone_e164(line.strip())
            if not e164:
                raise ValidationError(
                    self.env._(
                        "“%(line)s” in the ignored numbers of “%(integration)s” is not "
                        "a phone number: write one number per line, with its country "
                        "code.",
                        line=line.strip(),
                        integration=self.name,
                    )
                )
            numbers.add(e164)
        return numbers

    def _sales_is_ignored(self, number):
        """Whether calls from ``number`` are never leads here."""
        if not self.ignored_numbers or not number:
            return False
        e164 = self.env["crm.lead"]._sales_phone_e164(number)
        return bool(e164) and e164 in self._sales_ignored_e164()

    @api.constrains("secret")
    def _check_secret(self):
        # Only a secret being saved: an integration saved before this rule with a
        # shorter one keeps working until its secret is rotated.
        for source in self.sudo():
            if len(source.secret or "") < MIN_SECRET_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The secret of “%(integration)s” must have at least "
                        "%(length)s characters: anyone could guess a shorter one "
                        "and sign requests with it. Leave the generated one, or "
                        "copy the provider's whole token.",
                        integration=source.name,
                        length=MIN_SECRET_LENGTH,
                    )
                )

    @api.constrains("user_id", "company_id", "coordinator_id")
    def _check_users(self):
        for source in self:
            problem = source._technical_user_problem()
            if problem:
                raise ValidationError(problem)
            coordinator = source.coordinator_id
            if coordinator and not coordinator.has_group(
                "sales_coordination.group_coordinator"
            ):
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a sales coordinator.", user=coordinator.name
                    )
                )
            if coordinator and source.company_id not in coordinator.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s does not work for %(company)s: pick someone "
                        "of the integration's company.",
                        user=coordinator.name,
                        company=source.company_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Saving a new integration creates its technical user (unless the caller
        # brings a free one of its own). Copies: Odoo runs a request again with
        # the same arguments after a serialization failure, and the user made
        # by a rolled-back attempt is gone.
        vals_list = [dict(vals) for vals in vals_list]
        missing = [vals for vals in vals_list if not vals.get("user_id")]
        if missing:
            default_company = self.default_get(["company_id"]).get("company_id")
            Company = self.env["res.company"]
            users = self._create_technical_users(
                [
                    (
                        vals.get("name") or "",
                        Company.browse(vals.get("company_id") or default_company),
                    )
                    for vals in missing
                ]
            )
            for vals, user in zip(missing, users, strict=True):
                vals["user_id"] = user.id
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_events(self):
        # sudo: the events are the integration's history, whoever deletes it.
        used = self.sudo().event_ids[:1].source_id
        if used:
            raise UserError(
                self.env._(
                    "“%(integration)s” has recorded events, which the leads and the "
                    "boards refer to: archive it instead of deleting it.",
                    integration=used.name,
                )
            )

    def action_rotate_secret(self):
        """Give the integration a new secret, and a CallRail one a new endpoint
        address; the old ones stop working at once. Returns the action that shows
        a generic integration's new secret, this once (the form does not show it
        again), or True."""
        shown = []
        for source in self:
            if source.provider == "generic":
                source.secret = new_secret()
                shown.append(f"{source.name} (X-Integration {source.id}): ")
                # A manager's field (its groups): anyone else is refused here.
                shown[-1] += source.secret
            source.endpoint_token = new_secret()
        if not shown:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Copy the new secret now: it is not shown again"),
                "message": "\n".join(shown),
                "sticky": True,
                "type": "warning",
            },
        }

    def action_create_technical_user(self):
        """Give the integration a new technical user of its own, for one whose user
        may not record its events (see ``user_problem``); the user it replaces is
        archived when it was made for an integration. Returns True."""
        self.ensure_one()
        old = self.user_id
        self.user_id = self._create_technical_users([(self.name, self.company_id)])
        if old.is_inbound_integration and not self.with_context(
            active_test=False
        ).search_count([("user_id", "=", old.id)], limit=1):
            # sudo: archiving a user takes the Access Rights role; this one was made
            # for an integration, which a manager may replace, and now serves none.
            old.sudo().action_archive()
        return True

    @api.model
    def _create_technical_users(self, specs):
        """One new technical user for each (integration name, company) of
        ``specs``: in the Inbound Integration group and that company only, without
        password. Returns the users, in the order of ``specs``."""
        if not (
            self.env.su or self.env.user.has_group("sales_coordination.group_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only a coordination manager sets up inbound integrations: ask "
                    "yours to create this one."
                )
            )
        group = self.env.ref(INTEGRATION_GROUP)
        # sudo: creating a user takes the Access Rights role, which a coordination
        # manager need not have (checked above); the users made here get nothing but
        # the endpoint's group, in one company, and no password to log in with.
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(no_reset_password=True, mail_create_nolog=True)
            .create(
                [
                    {
                        "name": self.env._(
                            "%(integration)s (integration)", integration=name
                        ),
                        "login": f"inbound-integration-{secrets.token_hex(8)}",
                        "is_inbound_integration": True,
                        "groups_id": [Command.set(group.ids)],
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "notification_type": "inbox",
                    }
                    for name, company in specs
                ]
            )
        )
        return users.sudo(False)

    def _technical_user_problem(self):
        """Why this integration's technical user may not record its events, as a
        sentence for the manager; False when it may."""
        self.ensure_one()
        user = self.user_id
        fix = self.env._(
            "Give the integration a technical user of its own with the “New "
            "Technical User” button."
        )
        if user._is_superuser() or user._is_admin():
            problem = self.env._(
                "%(user)s is an administrator: “%(integration)s” must not record its "
                "events with an administrator's rights.",
                user=user.name,
                integration=self.name,
            )
        elif not user.is_inbound_integration:
            problem = self.env._(
                "%(user)s is not a technical user made for an integration, and "
                "“%(integration)s” records its events with such a user only.",
                user=user.name,
                integration=self.name,
            )
        elif not user.active:
            problem = self.env._(
                "%(user)s, the technical user of “%(integration)s”, is archived.",
                user=user.name,
                integration=self.name,
            )
        elif extra := [xmlid for xmlid in FORBIDDEN_GROUPS if user.has_group(xmlid)]:
            problem = self.env._(
                "%(user)s, the technical user of “%(integration)s”, has more rights "
                "than recording its events: %(groups)s.",
                user=user.name,
                integration=self.name,
                groups=", ".join(self.env.ref(xmlid).full_name for xmlid in extra),
            )
        elif not user.has_group(INTEGRATION_GROUP):
            problem = self.env._(
                "%(user)s, the technical user of “%(integration)s”, lacks the Inbound "
                "Integration rights it records the events with.",
                user=user.name,
                integration=self.name,
            )
        elif user.company_ids != self.company_id:
            problem = self.env._(
                "%(user)s, the technical user of “%(integration)s”, must work for "
                "%(company)s alone, the integration's company.",
                user=user.name,
                integration=self.name,
                company=self.company_id.name,
            )
        elif other := self.with_context(active_test=False).search(
            [("user_id", "=", user.id), ("id", "!=", self.id)], limit=1
        ):
            problem = self.env._(
                "%(user)s already records the events of “%(other)s”: each "
                "integration has a technical user of its own.",
                user=user.name,
                other=other.name,
            )
        else:
            return False
        return f"{problem} {fix}"

    def _record_refusal(self, status, message):
        """Record a refused request of this integration (``status``, the HTTP
        status answered, and ``message``, what was wrong), for its manager to
        see on its form. Only for a request that proved to come from it (its
        signature verified): runs with its technical user (``self.env``)."""
        self.ensure_one()
        return self.env["sales.inbound.event"].create(
            {
                "source_id": self.id,
                "state": "refused",
                "status": status,
                "error": message[:250],
            }
        )

    def _signature(self, timestamp, body, legacy=False):
        """The hex HMAC-SHA256 with this secret of ``<timestamp>.<id>.<body>``
        (``legacy``: of the previous version's ``<timestamp>.<body>``)."""
        self.ensure_one()
        # sudo: the secret is a manager's field; nobody is logged in while a
        # request is verified.
        return sign(self.sudo().secret, timestamp, body, None if legacy else self.id)

    def _check_signature(self, timestamp, body, signature):
        """Whether ``signature`` (hex text) signs ``body`` at ``timestamp`` for
        this integration. A signature of the previous version's string (without
        the integration's id) still passes, with a warning in the log: the next
        version refuses it."""
        self.ensure_one()
        if not isinstance(signature, str) or not signature.isascii():
            # compare_digest raises a TypeError on non-ASCII text.
            return False
        signature = signature.lower()
        if hmac.compare_digest(self._signature(timestamp, body), signature):
            return True
        if hmac.compare_digest(self._signature(timestamp, body, True), signature):
            _logger.warning(
                "Inbound integration %s signed a request without its id "
                "(<timestamp>.<body>): update the sender to sign "
                "<timestamp>.<X-Integration>.<body>; the next version refuses "
                "the old signature.",
                self.id,
            )
            return True
        return False

    def _check_twilio_signature(self, url, params, signature, settings):
        """Whether ``signature`` (X-Twilio-Signature) signs the request Twilio made
        to ``url`` with the form ``params`` (a MultiDict), with the account's Auth
        Token, as Twilio's own library checks it; ``settings``: the
        X-Twilio-Webhooks-Signature-Settings header, which names the algorithm."""
        self.ensure_one()
        if not isinstance(signature, str) or not signature.isascii() or not signature:
            return False
        # sudo: the token is a manager's field; nobody is logged in while a
        # request is verified.
        validator = RequestValidator(self.sudo().secret)
        return validator.validate(
            url, params, signature, algorithm=get_signature_algorithm(settings)
        )

    def _check_callrail_signature(self, body, signature):
        """Whether ``signature`` (CallRail's Signature header) signs the raw
        ``body`` with the company's signing key."""
        self.ensure_one()
        if not isinstance(signature, str) or not signature.isascii() or not signature:
            return False
        return hmac.compare_digest(
            callrail_signature(self.sudo().secret, body), signature
        )

    def _check_endpoint_token(self, token):
        self.ensure_one()
        # sudo: as for the secret.
        expected = self.sudo().endpoint_token or ""
        return (
            isinstance(token, str)
            and token.isascii()
            and bool(expected)
            and hmac.compare_digest(expected, token)
        )
