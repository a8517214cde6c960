from odoo import api, models


class UtmSource(models.Model):
    _inherit = "utm.source"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_spent(self):
        self.env["sales.source.cost"]._check_unlink_utm("source_id", self)
