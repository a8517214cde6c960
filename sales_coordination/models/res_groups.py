from odoo import models


class ResGroups(models.Model):
    _inherit = "res.groups"

    def write(self, vals):
        # Users taken out of the Coordinator role from the group's own form (the
        # user form goes through res.users.write) hand their queue over too.
        group = self.env.ref("sales_coordination.group_coordinator")
        if "users" not in vals or group not in self:
            return super().write(vals)
        # sudo: the group's members, archived ones included, whoever edits it.
        before = group.sudo().with_context(active_test=False).users
        reach = before._sales_coordinator_reach()
        result = super().write(vals)
        before._sales_hand_over_queues(reach)
        return result
