from urllib.parse import urlsplit

from odoo import api, fields, models

# A REST API address on this machine: the local Twilio stand-in (make demo).
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class SalesCallOutcome(models.TransientModel):
    _inherit = "sales.call.outcome"

    dial_call_id = fields.Many2one("sales.call", compute="_compute_dial_call_id")
    dial_status = fields.Char(related="dial_call_id.dial_status")
    dial_answered_by = fields.Selection(
        related="dial_call_id.answered_by", string="Answered By"
    )
    dial_simulated = fields.Boolean(
        compute="_compute_dial_simulated",
        help="The call went to the local Twilio stand-in: a simulated line, "
        "nobody's phone.",
    )

    @api.depends("followup_id")
    def _compute_dial_call_id(self):
        for wizard in self:
            wizard.dial_call_id = self.env["sales.call"].search(
                [
                    ("followup_id", "=", wizard.followup_id.id),
                    ("user_id", "=", self.env.uid),
                    ("dial_token", "!=", False),
                    ("result", "=", False),
                ],
                order="id desc",
                limit=1,
            )

    @api.depends("dial_call_id")
    def _compute_dial_simulated(self):
        for wizard in self:
            # sudo: the integration's REST address is the managers' setting;
            # whether it is this machine is all the call screen reads of it.
            url = wizard.dial_call_id.integration_id.sudo().api_url or ""
            wizard.dial_simulated = urlsplit(url).hostname in LOOPBACK
