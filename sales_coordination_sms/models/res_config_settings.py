from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_reminder_sms = fields.Boolean(
        related="company_id.sales_reminder_sms", readonly=False
    )
