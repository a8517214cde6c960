from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_web_coordinator_id = fields.Many2one(
        related="company_id.sales_web_coordinator_id", readonly=False
    )
