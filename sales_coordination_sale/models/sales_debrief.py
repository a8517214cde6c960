from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.safe_eval import safe_eval


class SalesDebrief(models.Model):
    _inherit = "sales.debrief"

    sale_order_id = fields.Many2one(
        "sale.order",
        string="Quotation",
        index="btree_not_null",
        tracking=True,
        ondelete="restrict",
        domain="[('opportunity_id', '=', lead_id), ('state', '!=', 'cancel'), "
        "('company_id', '=', company_id), "
        "('partner_id', 'child_of', commercial_partner_id)]",
        help="The quotation the debrief is about: the value before taxes and the "
        "product come from it.",
    )
    sale_order_state = fields.Selection(
        related="sale_order_id.state", string="Quotation Status"
    )
    commercial_partner_id = fields.Many2one(
        related="lead_id.partner_id.commercial_partner_id"
    )
    # Computed before the insert: the form does not send fields it shows
    # read-only, and the product is required.
    product_interest = fields.Char(
        compute="_compute_from_sale_order", store=True, readonly=False, precompute=True
    )
    amount_untaxed = fields.Monetary(
        compute="_compute_from_sale_order", store=True, readonly=False, precompute=True
    )

    @api.depends(
        "sale_order_id.amount_untaxed",
        "sale_order_id.currency_id",
        "sale_order_id.order_line.product_id",
        "sale_order_id.order_line.price_subtotal",
    )
    def _compute_from_sale_order(self):
        # Without a quotation, what was typed stays (nothing assigned).
        for debrief in self.filtered("sale_order_id"):
            order = debrief.sale_order_id
            debrief.amount_untaxed = debrief._sales_order_amount()
            product = order._sales_main_product()
            if product:
                debrief.product_interest = product.display_name

    def _sales_order_amount(self):
        """The linked quotation's untaxed amount in the debrief's currency."""
        self.ensure_one()
        order = self.sale_order_id
        currency = self.currency_id or order.company_id.currency_id
        return order.currency_id._convert(
            order.amount_untaxed,
            currency,
            order.company_id,
            order.date_order or fields.Date.context_today(self),
        )

    @api.constrains("sale_order_id", "amount_untaxed", "lead_id")
    def _check_sale_order(self):
        for debrief in self.filtered("sale_order_id"):
            # sudo: the refusal names the quotation and its customer even when
            # this user may not open it.
            order = debrief.sale_order_id.sudo()
            lead = debrief.lead_id
            customer = lead.partner_id.commercial_partner_id
            if not customer or order.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "The quotation %(order)s is for %(other)s, not for "
                        "%(customer)s: link one of this customer's quotations.",
                        order=order.name,
                        other=order.partner_id.display_name,
                        customer=lead.partner_id.display_name or self.env._("nobody"),
                    )
                )
            if order.company_id != debrief.company_id:
                raise ValidationError(
                    self.env._(
                        "The quotation %(order)s belongs to %(company)s: link a "
                        "quotation of %(lead_company)s.",
                        order=order.name,
                        company=order.company_id.name,
                        lead_company=debrief.company_id.name or "-",
                    )
                )
            if order.opportunity_id != lead:
                raise ValidationError(
                    self.env._(
                        "The quotation %(order)s is not one of the opportunity "
                        "%(lead)s: set its opportunity first.",
                        order=order.name,
                        lead=lead.display_name,
                    )
                )
            amount = debrief._sales_order_amount()
            if float_compare(
                debrief.amount_untaxed,
                amount,
                precision_rounding=debrief.currency_id.rounding or 0.01,
            ):
                raise ValidationError(
                    self.env._(
                        "The value before taxes comes from the quotation %(order)s "
                        "(%(amount)s): change the quotation rather than the "
                        "debrief.",
                        order=order.name,
                        amount=order.currency_id.format(order.amount_untaxed),
                    )
                )

    def write(self, vals):
        if (
            "sale_order_id" in vals
            and any(debrief.state == "done" for debrief in self)
            and not self.env.user.has_group("sales_coordination.group_manager")
        ):
            raise UserError(
                self.env._(
                    "This debrief is confirmed: only a manager may change the "
                    "quotation it is about."
                )
            )
        return super().write(vals)

    def action_new_quotation(self):
        """Odoo's own new quotation form, for the customer and the opportunity
        (sale_crm's; it asks for the customer first when the lead has none)."""
        self.ensure_one()
        lead = self.lead_id
        action = lead.action_sale_quotations_new()
        # sale_crm's actions read the lead from the active record, which is this
        # debrief here.
        context = action.get("context") or {}
        if isinstance(context, str):
            context = safe_eval(
                context,
                {"active_id": lead.id, "active_ids": lead.ids, "uid": self.env.uid},
            )
        action["context"] = {
            **context,
            "active_model": "crm.lead",
            "active_id": lead.id,
            "active_ids": lead.ids,
        }
        if action.get("res_model") == "sale.order":
            action["domain"] = [("opportunity_id", "=", lead.id)]
        return action

    def _summary(self):
        summary = super()._summary()
        if not self.sale_order_id:
            return summary
        state = dict(
            self.sale_order_id._fields["state"]._description_selection(self.env)
        )[self.sale_order_id.state]
        line = self.env._(
            "Quotation: %(order)s (%(state)s)",
            order=self.sale_order_id.name,
            state=state,
        )
        return summary + Markup("<br/>") + line
