from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_web_coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator of New Web Leads",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("sales_coordination.group_coordinator").id)
        ],
        help="A lead from the website's contact form is theirs to call back, at "
        "the top of their queue. Without one, its call goes to the calls that "
        "belong to nobody, which every coordinator's Next call reaches.",
    )

    @api.constrains("sales_web_coordinator_id")
    def _check_sales_web_coordinator(self):
        for company in self:
            user = company.sales_web_coordinator_id
            if user and not (
                user.has_group("sales_coordination.group_coordinator")
                and company in user.company_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot call back the web leads of %(company)s: "
                        "choose a coordinator who works for it.",
                        user=user.name,
                        company=company.name,
                    )
                )
