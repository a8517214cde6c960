import hmac
import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.signing import sign


def new_secret():
    return secrets.token_hex(32)


class SalesInboundSource(models.Model):
    """A call-tracking service, telephone system or web form that posts its
    events to /sales_coordination/inbound, signed with its own secret."""

    _name = "sales.inbound.source"
    _description = "Inbound Integration"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    secret = fields.Char(
        required=True,
        copy=False,
        default=lambda self: new_secret(),
        groups="sales_coordination.group_manager",
        help="Shared with the sender, who signs each request with it "
        "(HMAC-SHA256 of the timestamp, a dot and the body).",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Technical User",
        required=True,
        help="The events are recorded with this user's rights: a technical user "
        "of the company in the Coordination Manager group (to match callers to any "
        "lead of the company), used by nobody else. Its companies bound what the "
        "integration can touch.",
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
            source.endpoint_url = f"{base}/sales_coordination/inbound"

    def _compute_event_count(self):
        counts = dict(
            self.env["sales.inbound.event"]._read_group(
                [("source_id", "in", self.ids)], ["source_id"], ["__count"]
            )
        )
        for source in self:
            source.event_count = counts.get(source, 0)

    @api.constrains("user_id", "company_id", "coordinator_id")
    def _check_users(self):
        for source in self:
            user = source.user_id
            if not user.has_group("sales_coordination.group_manager"):
                raise ValidationError(
                    self.env._(
                        "%(user)s records the events of “%(integration)s”: to match "
                        "callers to any lead of the company, they must be a "
                        "coordination manager.",
                        user=user.name,
                        integration=source.name,
                    )
                )
            coordinator = source.coordinator_id
            if coordinator and not coordinator.has_group(
                "sales_coordination.group_coordinator"
            ):
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a sales coordinator.", user=coordinator.name
                    )
                )
            for member in user | coordinator:
                if source.company_id not in member.company_ids:
                    raise ValidationError(
                        self.env._(
                            "%(user)s does not work for %(company)s: pick someone "
                            "of the integration's company.",
                            user=member.name,
                            company=source.company_id.name,
                        )
                    )

    def action_rotate_secret(self):
        """Give the integration a new secret; the old one stops working at once."""
        for source in self:
            source.secret = new_secret()
        return True

    def _signature(self, timestamp, body):
        """The hex HMAC-SHA256 of ``<timestamp>.<body>`` with this secret."""
        self.ensure_one()
        return sign(self.sudo().secret, timestamp, body)

    def _check_signature(self, timestamp, body, signature):
        return hmac.compare_digest(self._signature(timestamp, body), signature or "")
