from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _sales_hand_over_more(self, user, left):
        result = super()._sales_hand_over_more(user, left)
        # A coordinator who left no longer calls back the company's web leads:
        # they go to the calls of nobody until a manager names another.
        # sudo: follows the departure the caller was allowed to make.
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("sales_web_coordinator_id", "=", user.id)])
            .filtered(left)
        )
        companies.write({"sales_web_coordinator_id": False})
        return result
