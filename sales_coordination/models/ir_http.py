from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """A coordination user without a home action of their own starts on
        their role's page of the Coordination app (see
        ``res.users._sales_start_action``), not on Discuss."""
        info = super().session_info()
        user = self.env.user
        if (
            info.get("home_action_id") is False
            and user._is_internal()
            and user.has_group("sales_team.group_sale_salesman")
        ):
            start = self.env.ref(
                "sales_coordination.sales_coordination_action_start",
                raise_if_not_found=False,
            )
            info["home_action_id"] = start.id if start else False
        return info
