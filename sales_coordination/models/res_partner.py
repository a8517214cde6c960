from odoo import api, models
from odoo.tools import SQL

from .indexes import PHONE_TAIL, create_indexes, phone_tail


class ResPartner(models.Model):
    _inherit = "res.partner"

    def init(self):
        create_indexes(self.env.cr, self._table)

    @api.model
    def _sales_search_by_phone(self, e164, limit=200):
        """Contacts whose phone or mobile is ``e164`` (an E.164 number), within the
        current user's access."""
        if not e164:
            return self.browse()
        tail = "".join(ch for ch in e164 if ch.isdigit())[-PHONE_TAIL:]
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE %s = %s OR %s = %s LIMIT %s",
                phone_tail("phone"),
                tail,
                phone_tail("mobile"),
                tail,
                limit,
            )
        )
        candidates = self.search(
            [("id", "in", [row[0] for row in self.env.cr.fetchall()])]
        )
        Lead = self.env["crm.lead"]
        return candidates.filtered(
            lambda partner: e164
            in (
                Lead._sales_phone_e164(partner.phone, partner.country_id or None),
                Lead._sales_phone_e164(partner.mobile, partner.country_id or None),
            )
        )
