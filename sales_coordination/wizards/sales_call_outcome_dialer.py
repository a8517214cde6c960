from odoo import api, fields, models


class SalesCallOutcome(models.TransientModel):
    _inherit = "sales.call.outcome"

    dial_call_id = fields.Many2one("sales.call", compute="_compute_dial_call_id")
    dial_status = fields.Char(related="dial_call_id.dial_status")
    dial_answered_by = fields.Selection(
        related="dial_call_id.answered_by", string="Answered By"
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
