from odoo import fields, models

from odoo.addons.sales_coordination.models.sales_followup import (
    SalesFollowup as QueueFollowup,
)
from odoo.addons.sales_coordination.models.sales_workflow_mixin import EMPTY


class SalesFollowup(models.Model):
    _inherit = "sales.followup"
    # The quotation a call follows is the queue's to set (when it is sent,
    # expires or is cancelled), like the rest of what the call is about.
    _sales_workflow_fields = {
        **QueueFollowup._sales_workflow_fields,
        "sale_order_id": EMPTY,
    }

    sale_order_id = fields.Many2one(
        "sale.order",
        string="Quotation",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The quotation this call follows up: sending it again restarts the "
        "call's window; confirming it ends the call.",
    )
