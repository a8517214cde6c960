from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_lead_entry_restricted = fields.Boolean(
        related="company_id.sales_lead_entry_restricted", readonly=False
    )
    sales_not_contacted_days = fields.Integer(
        related="company_id.sales_not_contacted_days", readonly=False
    )
