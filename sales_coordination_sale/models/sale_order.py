import contextvars
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.sales_coordination.tools.cron import run_batch
from odoo.addons.sales_coordination.tools.side_effect import side_effect
from odoo.addons.sales_coordination.tools.workflow import owning

QUOTE_STATES = ("draft", "sent")
# How long after its validity date an expired quotation still gets its call.
EXPIRY_CATCH_UP_DAYS = 7

# The quotations Sale's e-mail composer is sending right now (see
# mail_compose_message.py). A variable of the running code, not Odoo's context:
# Odoo applies the context a chatter post sends, so sale's own ``mark_so_as_sent``
# key tells nothing about who sends.
_SENDING = contextvars.ContextVar("sales_coordination_sale_sending", default=())


@contextmanager
def sending_quotations(order_ids):
    """Run the block as Sale's sending of the quotations ``order_ids`` by
    e-mail: their posted message is the quotation the customer receives."""
    token = _SENDING.set((*_SENDING.get(), *order_ids))
    try:
        yield
    finally:
        _SENDING.reset(token)


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "sales.workflow.mixin"]
    # Set by the expiry's rule alone, re-armed by a new validity date or a send.
    _sales_workflow_fields = {
        "sales_lapse_called": frozenset({False, None}),
        "sales_lapse_note": frozenset({False, None, ""}),
    }

    sales_lapse_called = fields.Boolean(
        string="Lapse Call Queued",
        readonly=True,
        copy=False,
        help="The coordinator has been asked to call about this quotation's expiry; "
        "a new validity date or sending it again re-arms it.",
    )
    sales_lapse_note = fields.Char(
        string="Lapse Call Said",
        readonly=True,
        copy=False,
        help="What the lapse call told the coordinator: taken off the call when "
        "the quotation is sent again.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_check_workflow_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._sales_check_workflow_write(vals)
        if "validity_date" in vals and any(self.mapped("sales_lapse_called")):
            # A new expiry date is a new chance to expire.
            with owning(self._name, "sales_lapse_called"):
                return super().write(dict(vals, sales_lapse_called=False))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Sale's own steps, extended
    # ------------------------------------------------------------------

    def action_quotation_sent(self):
        result = super().action_quotation_sent()
        self._sales_quote_sent()
        return result

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        # Sale's e-mail of the quotation: the draft becomes sent, and a
        # quotation already sent is a new version of it. Only the composer's
        # real send says so, never the context of a post (a portal chatter post
        # may carry any key).
        sending_ids = _SENDING.get()
        sending = self.filtered(
            lambda order: order.id in sending_ids and order.state in QUOTE_STATES
        )
        message = super().message_post(**kwargs)
        if sending:
            sending.filtered(lambda order: order.state == "sent")._sales_quote_sent()
        return message

    def _action_confirm(self):
        result = super()._action_confirm()
        self._sales_order_confirmed()
        return result

    def _action_cancel(self):
        lapsing = self.filtered(lambda order: order.state == "sent")
        result = super()._action_cancel()
        lapsing.filtered(lambda order: order.state == "cancel")._sales_quote_lapsed(
            expired=False
        )
        return result

    # ------------------------------------------------------------------
    # The follow-up loop
    # ------------------------------------------------------------------

    def _sales_leads(self):
        """The opportunities of these orders, as the queue's rules see them.

        sudo: the quotation's fate moves its opportunity and its calls, whoever
        sent, confirmed or cancelled it (the customer on the portal, a
        salesperson who may not edit the queue); sale checked that they may act
        on the order."""
        return self.sudo().opportunity_id

    def _sales_by_customer(self):
        """Whether the customer acted rather than a user: a portal user, or the
        superuser mode that sale's portal and payment's post-processing work in
        (the order signed or paid)."""
        self.ensure_one()
        return self.env.user.share or (
            self.env.su and bool(self.signed_on or self.transaction_ids)
        )

    def _sales_author(self):
        """Who the lead's chatter names: the customer when they acted (the
        portal, a payment), else the user."""
        self.ensure_one()
        if self._sales_by_customer():
            return self.partner_id
        return self.env.user.partner_id

    def _sales_quote_sent(self):
        """The customer has the quotation: queue its follow-up in the company's
        window, or restart the window of the one a sending of the lead's
        quotations queued before. A call a debrief (or a coordinator) queued is
        kept as agreed with the customer, and follows this quotation from now."""
        # sudo: see _sales_leads (the queue moves with the quotation, whoever sent it).
        Followup = self.env["sales.followup"].sudo()
        now = fields.Datetime.now()
        # Who acted is read before sudo, which the loop needs.
        authors = {order.id: order._sales_author() for order in self}
        # sudo: see _sales_leads (sale let this user send the quotation).
        for order in self.sudo().filtered("opportunity_id"):
            lead = order.opportunity_id
            order._sales_write_lapse_flag(False)
            if not lead.active or lead.stage_id.is_won:
                continue
            start, end = order._sales_quote_window()
            followup, case = Followup._queue_quote_sent(order, (start, end), now)
            if case == "new":
                body = self.env._(
                    "Quotation %(order)s sent: quote follow-up queued from %(start)s "
                    "to %(end)s.",
                    order=order.name,
                    start=fields.Datetime.to_string(start),
                    end=fields.Datetime.to_string(end),
                )
            elif case == "kept":
                body = self.env._(
                    "Quotation %(order)s sent: the follow-up call already queued "
                    "(from %(start)s) now follows it.",
                    order=order.name,
                    start=fields.Datetime.to_string(followup.window_start),
                )
            else:
                body = self.env._(
                    "Quotation %(order)s sent again: its follow-up call starts over, "
                    "from %(start)s to %(end)s.",
                    order=order.name,
                    start=fields.Datetime.to_string(start),
                    end=fields.Datetime.to_string(end),
                )
            with side_effect(self.env, "The quote's chatter line on the lead"):
                lead.message_post(body=body, author_id=authors[order.id].id)

    def _sales_quote_window(self):
        """(start, end), naive UTC: the company's quote follow-up delay after
        today, from the morning of that day to the evening two days later, in
        the coordinator's time zone."""
        self.ensure_one()
        lead = self.opportunity_id
        company = self.company_id
        tz = lead._sales_tz()
        day = fields.Date.context_today(self.with_context(tz=tz)) + timedelta(
            days=company.sales_quote_followup_days
        )
        morning, evening = company.sales_morning_start, company.sales_evening_end
        start = company._sales_local_span(day, morning, evening, tz)[0]
        last = day + timedelta(days=2)
        end = company._sales_local_span(last, morning, evening, tz)[1]
        return start, end

    def _sales_quote_lapsed(self, expired=True):
        """The quotation was cancelled or expired without an answer: one call to
        the coordinator says so, due now (the lead's quote call when it has one,
        else a new one). Never a silent loss: the lead stays open."""
        # sudo: see _sales_leads (sale cancelled it, or the scheduler found it).
        Followup = self.env["sales.followup"].sudo()
        now = fields.Datetime.now()
        # An expiry is the scheduler's finding, a cancel someone's act; who
        # acted is read before sudo, which the loop needs.
        authors = {
            order.id: self.env.user.partner_id if expired else order._sales_author()
            for order in self
        }
        # sudo: see _sales_leads (sale cancelled it, or the scheduler found it).
        for order in self.sudo().filtered("opportunity_id"):
            lead = order.opportunity_id
            order._sales_write_lapse_flag(True)
            note = order._sales_lapse_notes()["expired" if expired else "cancelled"]
            author = authors[order.id]
            if not lead.active or lead.stage_id.is_won:
                # The customer already answered: nobody calls about this quote.
                with side_effect(self.env, "The quote's chatter line on the lead"):
                    lead.message_post(body=note, author_id=author.id)
                continue
            company = order.company_id
            tz = lead._sales_tz()
            today = fields.Date.context_today(self.with_context(tz=tz))
            end = company._sales_local_span(
                today + timedelta(days=2),
                company.sales_morning_start,
                company.sales_evening_end,
                tz,
            )[1]
            Followup._queue_quote_lapsed(order, note, (now, end))
            order._sales_write_workflow({"sales_lapse_note": note})
            with side_effect(self.env, "The lapsed quote's chatter line on the lead"):
                lead.message_post(body=note, author_id=author.id)

    def _sales_lapse_notes(self):
        """What the coordinator's call says when this quotation lapses, by
        reason (``expired``, ``cancelled``)."""
        self.ensure_one()
        return {
            "expired": self.env._(
                "The quote %(order)s expired on %(date)s: call to renew or close.",
                order=self.name,
                date=fields.Date.to_string(self.validity_date) or "-",
            ),
            "cancelled": self.env._(
                "The quote %(order)s was cancelled: call to renew or close.",
                order=self.name,
            ),
        }

    def _sales_without_lapse_notes(self, note):
        """``note`` without the lines a lapse of this quotation wrote."""
        ours = {self.sales_lapse_note, *self._sales_lapse_notes().values()}
        lines = [line for line in (note or "").split("\n") if line not in ours]
        return "\n".join(lines) or False

    def _sales_write_lapse_flag(self, value):
        self.filtered(
            lambda order: order.sales_lapse_called != value
        )._sales_write_workflow({"sales_lapse_called": value})

    def _sales_main_product(self):
        """The product of the quotation's main line: its largest line before
        taxes (sections, notes and down payments aside), the first of equals."""
        self.ensure_one()
        lines = self.order_line.filtered(
            lambda line: line.product_id
            and not line.display_type
            and not line.is_downpayment
        )
        main = lines.sorted(lambda line: (-line.price_subtotal, line.sequence, line.id))
        return main[:1].product_id

    def _sales_order_confirmed(self):
        """The customer's definitive yes: the opportunity is won (reopened first
        when it was lost, and its coordinator told) with the confirmed orders'
        untaxed amount as revenue; every open call of the lead ends (a claimed
        one's coordinator is told); the happy call waits for the delivery."""
        for order in self.filtered("opportunity_id"):
            lead = order._sales_leads()
            author = order._sales_author()
            was_lost = not lead.active
            was_won = not was_lost and lead.stage_id.is_won
            ending = lead._sales_open_followups().filtered(
                lambda followup: followup.kind != "happy_call"
            )
            lead._sales_end_calls_for_order(ending, order)
            revenue = lead._sales_confirmed_revenue()
            if revenue is not None:
                lead.write({"expected_revenue": revenue})
            if was_won:
                lead._sales_move_happy_call()
            else:
                lead.action_set_won()
            if order._sales_by_customer():
                who = self.env._("the customer, on the portal")
            else:
                who = self.env.user.name
            with side_effect(self.env, "The confirmed quotation's chatter line"):
                lead.message_post(
                    body=self.env._(
                        "Quotation %(order)s confirmed by %(who)s: the opportunity "
                        "is won, %(amount)s before taxes.",
                        order=order.name,
                        who=who,
                        amount=order.currency_id.format(order.amount_untaxed),
                    ),
                    author_id=author.id,
                )
            if was_lost:
                lead._sales_tell_reopened(order)

    @api.model
    def _cron_sales_quote_expired(self, batch=200):
        """Quotations the customer had and let pass their validity date in the
        last days (``EXPIRY_CATCH_UP_DAYS``: a scheduler stopped for a while
        catches up, a database full of long-expired quotations queues nothing
        for them): one call each to the coordinator (``_sales_quote_lapsed``),
        ``batch`` per call of the scheduler, each company on its own (see
        ``tools/cron.py``). Returns them."""
        lapsed = self.browse()

        def lapse(company, limit):
            nonlocal lapsed
            today = fields.Date.today()
            expired = self.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "sent"),
                    ("opportunity_id", "!=", False),
                    ("sales_lapse_called", "=", False),
                    # Sale's own notion of expired (is_expired): the UTC day.
                    ("validity_date", "<", today),
                    (
                        "validity_date",
                        ">=",
                        today - timedelta(days=EXPIRY_CATCH_UP_DAYS),
                    ),
                ],
                limit=limit,
                order="id",
            )
            expired._sales_quote_lapsed(expired=True)
            lapsed |= expired
            return len(expired)

        # Each company on its own; companies are few.
        companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        run_batch(self.env, "The expired quotations' calls", companies, lapse, batch)
        return lapsed
