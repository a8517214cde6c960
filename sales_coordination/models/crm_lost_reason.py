from odoo import fields, models


class CrmLostReason(models.Model):
    _inherit = "crm.lost.reason"

    sales_is_final = fields.Boolean(
        string="Definitive No",
        help="The customer said no for good: no rehash call is ever queued for a "
        "lead lost for this reason.",
    )
