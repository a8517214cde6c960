from odoo import fields, models


class SalesFollowup(models.Model):
    _inherit = "sales.followup"

    sale_order_id = fields.Many2one(
        "sale.order",
        string="Quotation",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The quotation this call follows up: sending it again restarts the "
        "call's window; confirming it ends the call.",
    )
