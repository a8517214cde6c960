from datetime import timedelta

import pytz

from odoo import fields, models
from odoo.tools import plaintext2html

from odoo.addons.sales_coordination.tools.side_effect import side_effect


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _sales_open_followups(self):
        """The open calls of these leads, oldest first (sudo: the queue follows
        the lead, whoever moves it; callers say why they may)."""
        return self.env["sales.followup"]._open_for(leads=self, order="id")

    def _sales_confirmed_revenue(self):
        """The untaxed total of the lead's confirmed orders in its company's
        currency, or None when it has none. As sale_crm has it, an order in
        another currency leaves the expected revenue to the salesperson (the
        funnel converts it)."""
        self.ensure_one()
        currency = (self.company_id or self.env.company).currency_id
        orders = self.order_ids.filtered(
            lambda order: order.state == "sale" and order.currency_id == currency
        )
        if not orders:
            return None
        return sum(orders.mapped("amount_untaxed"))

    def _sales_end_calls_for_order(self, followups, order):
        """End ``followups`` because ``order`` was confirmed: who was making one
        of them is told."""
        self.ensure_one()
        claimed = followups.filtered(lambda followup: followup.state == "claimed")
        for followup in claimed:
            with side_effect(self.env, "The note to the coordinator on the call"):
                self.message_post(
                    body=self.env._(
                        "%(coordinator)s, the call you took is over: the customer "
                        "confirmed %(order)s.",
                        coordinator=followup.claimed_by_id.name,
                        order=order.name,
                    ),
                    partner_ids=followup.claimed_by_id.partner_id.ids,
                    author_id=order._sales_author().id,
                )
        followups._sales_end_for_order(order)

    def _sales_delivery_day(self):
        """The local day after the latest delivery date of the lead's confirmed
        orders, or None when none has one."""
        self.ensure_one()
        orders = self.order_ids.filtered(
            lambda order: order.state == "sale" and order.commitment_date
        )
        if not orders:
            return None
        tz = pytz.timezone(self._sales_tz())
        delivery = max(orders.mapped("commitment_date"))
        local = pytz.utc.localize(delivery).astimezone(tz).date()
        return max(local + timedelta(days=1), fields.Date.context_today(self))

    def _sales_delivered_happy_call_window(self):
        """(start, end) of the happy call of a lead whose confirmed orders have a
        delivery date: the day after the delivery, from the morning to the
        evening; None without a delivery date."""
        self.ensure_one()
        day = self._sales_delivery_day()
        if day is None:
            return None
        company = self.company_id or self.env.company
        morning, evening = company.sales_morning_start, company.sales_evening_end
        return company._sales_local_span(day, morning, evening, self._sales_tz())

    def _sales_move_happy_call(self):
        """A lead already won (a debrief said yes) gets a confirmed order: its
        open happy call waits for the delivery; one is queued when it never had
        one."""
        self.ensure_one()
        self.env["sales.followup"]._queue_happy_call_after_order(self)

    def _sales_tell_reopened(self, order):
        """A lost customer confirmed a quotation after all: the coordinator hears
        of it (an activity), the chatter says so."""
        self.ensure_one()
        body = self.env._(
            "%(lead)s was lost, but the customer confirmed %(order)s: the "
            "opportunity is open again and won.",
            lead=self.display_name,
            order=order.name,
        )
        coordinator = self.coordinator_id or self.user_id.coordinator_id
        with side_effect(self.env, "The reopened lead's activity and chatter line"):
            if coordinator:
                self.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=coordinator.id,
                    summary=self.env._("A lost customer said yes"),
                    # The names may come from a visitor or a caller: escaped.
                    note=plaintext2html(body),
                )
            self.message_post(body=body, author_id=order._sales_author().id)
