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

    def _happy_call_window(self, lead):
        # A won lead with a delivery date is called once the job is done.
        return lead._sales_delivered_happy_call_window() or super()._happy_call_window(
            lead
        )

    def _quote_call_values(self, lead, window, quoted_at, debrief=None, **facts):
        values = super()._quote_call_values(
            lead, window, quoted_at, debrief=debrief, **facts
        )
        if facts.get("order"):
            values["sale_order_id"] = facts["order"].id
        return values

    def _queue_quote_call(self, lead, window, quoted_at, debrief=None, **facts):
        # The quotation was sent before the debrief was confirmed: its call
        # takes the window the customer agreed to rather than a second call.
        if debrief:
            current = self._open_for(leads=lead, kinds=["quote"], order="id")[:1]
            if current:
                current._sales_requeue(*window, debrief_id=debrief.id)
                return current
        return super()._queue_quote_call(
            lead, window, quoted_at, debrief=debrief, **facts
        )
