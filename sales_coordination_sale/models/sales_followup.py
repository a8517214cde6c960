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
            current = self._open_quote_call(lead)
            if current:
                current._sales_requeue(*window, debrief_id=debrief.id)
                return current
        return super()._queue_quote_call(
            lead, window, quoted_at, debrief=debrief, **facts
        )

    def _open_quote_call(self, lead):
        """The lead's open quote call, the oldest (one at most, as a rule)."""
        return self._open_for(leads=lead, kinds=["quote"], order="id")[:1]

    def _queue_quote_sent(self, order, window, sent_at):
        """``order`` reached the customer: the lead's quote call follows it. A
        new call in ``window`` when the lead has none; the call a debrief (or a
        coordinator) queued, kept as agreed with the customer, when it follows
        no quotation yet; else the call starts over in ``window``, what a lapse
        of the quotation said struck from its note. Returns the call and which
        of ``new``, ``kept``, ``restarted`` happened."""
        lead = order.opportunity_id
        current = self._open_quote_call(lead)
        if not current:
            return self._queue_quote_call(lead, window, sent_at, order=order), "new"
        if not current.sale_order_id:
            current._sales_write_workflow({"sale_order_id": order.id})
            return current, "kept"
        current._sales_requeue(
            *window,
            quote_date=sent_at,
            sale_order_id=order.id,
            note=order._sales_without_lapse_notes(current.note),
        )
        return current, "restarted"

    def _queue_quote_lapsed(self, order, note, window):
        """``order`` expired or was cancelled without an answer: the lead's quote
        call says so (``note`` first, an earlier lapse's line struck) in
        ``window``, or a new call does. Returns the call."""
        lead = order.opportunity_id
        current = self._open_quote_call(lead)
        if not current:
            return self._queue_quote_call(
                lead, window, order.date_order, order=order, note=note
            )
        kept = order._sales_without_lapse_notes(current.note)
        current._sales_requeue(
            *window,
            sale_order_id=order.id,
            note=f"{note}\n{kept}" if kept else note,
        )
        return current

    def _sales_end_for_order(self, order):
        """These calls end because the customer confirmed ``order``: a call
        being made is released first; what was written on each stays under the
        reason it ended."""
        note = self.env._(
            "The customer confirmed %(order)s: no need to call about it.",
            order=order.name,
        )
        self.filtered(lambda followup: followup.state == "claimed")._sales_release()
        for followup in self:
            followup.note = f"{note}\n{followup.note}" if followup.note else note
        self._sales_close("cancelled")

    def _queue_happy_call_after_order(self, lead):
        """``lead``, already won (a debrief said yes), got a confirmed order: its
        open happy call waits for the delivery; one is queued when it never had
        one."""
        happy = self._open_for(leads=lead, kinds=["happy_call"], order="id")
        if happy:
            happy[:1]._sales_requeue(*self._happy_call_window(lead))
            return
        # sudo: Sales let this user confirm the order (_sales_order_confirmed
        # runs after its checks); whether the lead ever had a happy call is
        # read whoever's queue it was in, a count and nothing else.
        had_one = self.sudo().search_count(
            [("lead_id", "=", lead.id), ("kind", "=", "happy_call")], limit=1
        )
        if not had_one:
            self._queue_happy_calls(lead)
