from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """A coordinator, coordination manager or field advisor without a home
        action of their own starts on their role's page of the Coordination app
        (see ``res.users._sales_start_action``), not on Discuss."""
        info = super().session_info()
        user = self.env.user
        # Only the coordination's own roles: a plain salesperson keeps crm's
        # start, and an administrator Odoo's home menu (which Odoo's own tours
        # of crm and calendar start from).
        if (
            info.get("home_action_id") is False
            and user._is_internal()
            and not user._is_system()
            and (
                user.has_group("sales_coordination.group_coordinator")
                or user.is_field_advisor
            )
        ):
            start = self.env.ref(
                "sales_coordination.sales_coordination_action_start",
                raise_if_not_found=False,
            )
            info["home_action_id"] = start.id if start else False
        return info
