from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_lead_entry_restricted = fields.Boolean(
        string="Coordinators Own Lead Entry",
        default=True,
        help="Only coordinators, backup coordinators and managers create leads; "
        "field advisors pass new leads on to them.",
    )
    sales_not_contacted_days = fields.Integer(
        string="Not Contacted Alert (Days)",
        default=3,
        help="An open lead nobody has contacted for this many days is flagged and "
        "its coordinator gets an activity.",
    )

    @api.constrains("sales_not_contacted_days")
    def _check_sales_not_contacted_days(self):
        if any(company.sales_not_contacted_days < 1 for company in self):
            raise ValidationError(
                self.env._("The not-contacted alert needs at least one day.")
            )
