from odoo import api, models


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_spent(self):
        self.env["sales.source.cost"]._check_unlink_utm("campaign_id", self)
