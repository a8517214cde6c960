from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import create_unique_index


class SalesSourceCost(models.Model):
    """What a marketing source (or one of its media or campaigns) cost in a
    month: the funnel divides it by the leads, visits and sales it brought."""

    _name = "sales.source.cost"
    _description = "Marketing Spend"
    _order = "month desc, source_id, medium_id, campaign_id, id"
    _check_company_auto = True

    # A line says what one source, medium or campaign cost: the spend stays, so
    # the source cannot be deleted while spend names it (see utm_source.py).
    source_id = fields.Many2one("utm.source", index=True, ondelete="restrict")
    medium_id = fields.Many2one("utm.medium", index=True, ondelete="restrict")
    campaign_id = fields.Many2one("utm.campaign", index=True, ondelete="restrict")
    month = fields.Date(
        required=True,
        default=lambda self: fields.Date.start_of(
            fields.Date.context_today(self), "month"
        ),
        help="The month the money was spent in, stored as its first day.",
    )
    amount = fields.Monetary(required=True, currency_field="currency_id")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    note = fields.Char()

    @api.model
    def _check_unlink_utm(self, field_name, records):
        """Refuse to delete the UTM ``records`` that lines of spend name."""
        # sudo: spend is the managers', but it forbids deleting its source for all.
        spent = self.sudo().search([(field_name, "in", records.ids)], limit=1)
        if spent:
            raise UserError(
                self.env._(
                    "“%(name)s” has marketing spend recorded against it: a manager "
                    "moves or deletes those lines of spend first, so that the "
                    "funnel's cost figures stay right.",
                    name=spent[field_name].display_name,
                )
            )

    def init(self):
        # Two lines for the same spend and month would count it twice, even when
        # two managers enter it at the same moment.
        create_unique_index(
            self.env.cr,
            "sales_source_cost_unique_index",
            self._table,
            [
                "company_id",
                "month",
                "COALESCE(source_id, 0)",
                "COALESCE(medium_id, 0)",
                "COALESCE(campaign_id, 0)",
            ],
        )

    @api.model_create_multi
    def create(self, vals_list):
        keys = []
        for vals in vals_list:
            self._first_of_month(vals)
            keys.append(self._spend_key(vals))
        self._check_unique_month(keys)
        return super().create(vals_list)

    def write(self, vals):
        self._first_of_month(vals)
        if {"source_id", "medium_id", "campaign_id", "month", "company_id"} & set(vals):
            self._check_unique_month(
                [self._spend_key(vals, cost) for cost in self], exclude=self
            )
        return super().write(vals)

    def _spend_key(self, vals, cost=None):
        """(company, month, source, medium, campaign) of ``vals`` written on
        ``cost`` (or on a new line)."""

        def value(name):
            if name in vals:
                return vals[name] or False
            if cost is not None:
                return cost[name].id if name != "month" else cost.month
            if name == "company_id":
                return self.env.company.id
            return False

        return (
            value("company_id"),
            fields.Date.to_date(value("month")),
            value("source_id"),
            value("medium_id"),
            value("campaign_id"),
        )

    def _check_unique_month(self, keys, exclude=None):
        # Checked before writing, for a message in the user's words; the unique
        # index in init() settles two managers entering the same line at once.
        # One query for the whole batch (an import of a year of spend).
        existing = self.sudo().search(
            [
                ("id", "not in", exclude.ids if exclude else []),
                ("company_id", "in", list({key[0] for key in keys})),
                ("month", "in", list({key[1] for key in keys})),
            ]
        )
        seen = {self._spend_key({}, cost) for cost in existing}
        for key in keys:
            _company, month, source, medium, campaign = key
            twin = key in seen
            seen.add(key)
            if twin:
                what = self._target_name(
                    self.env["utm.source"].browse(source),
                    self.env["utm.medium"].browse(medium),
                    self.env["utm.campaign"].browse(campaign),
                )
                raise ValidationError(
                    self.env._(
                        "The spend of %(what)s for %(month)s is already entered: "
                        "change that line instead of adding another.",
                        what=what,
                        month=month.strftime("%Y-%m") if month else "",
                    )
                )

    @staticmethod
    def _target_name(*records):
        """“Source / Medium / Campaign”, of those set."""
        return " / ".join(record.name for record in records if record)

    @staticmethod
    def _first_of_month(vals):
        if vals.get("month"):
            vals["month"] = fields.Date.start_of(
                fields.Date.to_date(vals["month"]), "month"
            )

    @api.depends("source_id", "medium_id", "campaign_id", "month")
    def _compute_display_name(self):
        for cost in self:
            what = self._target_name(cost.source_id, cost.medium_id, cost.campaign_id)
            month = cost.month.strftime("%Y-%m") if cost.month else ""
            cost.display_name = f"{what} {month}".strip()

    @api.constrains("amount", "source_id", "medium_id", "campaign_id")
    def _check_amount(self):
        for cost in self:
            if cost.amount < 0:
                raise ValidationError(
                    self.env._(
                        "Spend cannot be negative (%(amount)s for %(what)s): enter "
                        "what was paid, and a refund as a lower amount.",
                        amount=cost.amount,
                        what=cost.display_name,
                    )
                )
            if not (cost.source_id or cost.medium_id or cost.campaign_id):
                raise ValidationError(
                    self.env._(
                        "Say what the money was spent on: a source, a medium or a "
                        "campaign."
                    )
                )

    # ------------------------------------------------------------------
    # Demo data: demo/sales_source_cost_demo.xml calls these two
    # ------------------------------------------------------------------

    @api.model
    def _demo_history(self):
        """Demo installs only: a year of generated leads, visits, sales and
        spend. The generator (demo/generator.py) is imported here alone, so a
        database without demo data never loads it. Returns True."""
        from ..demo import generator

        return generator.load_history(self.env)

    @api.model
    def _demo_today(self):
        """Demo installs only: the demo alive on the day it is loaded (see
        demo/generator.py, imported here alone). Returns True."""
        from ..demo import generator

        return generator.load_today(self.env)
