from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SalesTrackingNumber(models.Model):
    _name = "sales.tracking.number"
    _description = "Call-Tracking Number"
    _order = "number"
    _rec_name = "number"

    number = fields.Char(
        required=True,
        index=True,
        help="The tracked phone number customers dial, kept in E.164 form.",
    )
    name = fields.Char(
        string="Where It Is Published", help="e.g. Radio spot, yard signs, website"
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    source_id = fields.Many2one("utm.source", required=True)
    medium_id = fields.Many2one("utm.medium")
    campaign_id = fields.Many2one("utm.campaign")

    _sql_constraints = [
        (
            "number_company_uniq",
            "unique(number, company_id)",
            "This tracking number is already mapped in this company.",
        )
    ]

    @api.depends("number", "name")
    def _compute_display_name(self):
        for tracking in self:
            tracking.display_name = (
                f"{tracking.number} ({tracking.name})"
                if tracking.name
                else tracking.number
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("number"):
                vals["number"] = self._normalize_number(vals["number"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("number"):
            vals = dict(vals, number=self._normalize_number(vals["number"]))
        return super().write(vals)

    @api.model
    def _normalize_number(self, number):
        """Return ``number`` in E.164 form, or raise a ValidationError."""
        e164 = self.env["crm.lead"]._sales_phone_e164(number)
        if not e164:
            raise ValidationError(
                self.env._(
                    "“%(number)s” is not a phone number: type it with its country "
                    "code, e.g. +1 217 555 0100.",
                    number=number,
                )
            )
        return e164

    @api.model
    def _find(self, number, company=None):
        """The active tracking number matching ``number`` in ``company`` (default:
        the current one), or an empty recordset."""
        e164 = self.env["crm.lead"]._sales_phone_e164(number)
        if not e164:
            return self.browse()
        company = company or self.env.company
        return self.search(
            [("number", "=", e164), ("company_id", "=", company.id)], limit=1
        )
