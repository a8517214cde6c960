from odoo import api, models


class UtmMedium(models.Model):
    _inherit = "utm.medium"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_spent(self):
        self.env["sales.source.cost"]._check_unlink_utm("medium_id", self)
