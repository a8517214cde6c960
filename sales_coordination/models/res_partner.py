from odoo import api, models
from odoo.tools import SQL

from ..tools.indexes import PHONE_TAIL, create_indexes, phone_tail


class ResPartner(models.Model):
    _inherit = "res.partner"

    def init(self):
        create_indexes(self.env.cr, self._table)

    def _sales_one_line_address(self):
        """The address on one line, as a visit's location reads: the country's
        format, its empty parts left out ("12 Elm Street, Riverside 62702")."""
        self.ensure_one()
        parts = (
            " ".join(line.split()).strip(" ,")
            for line in self._display_address(without_company=True).splitlines()
        )
        return ", ".join(part for part in parts if part)

    @api.model
    def _sales_match_query(self, e164=False, email_normalized=False, limit=200):
        """A query of the active contacts, within the current user's access, whose
        normalized e-mail is ``email_normalized`` or whose phone or mobile ends
        with the last digits of ``e164`` (an E.164 number), through the addon's
        indexes: the phone candidates are to be compared in full with
        ``_sales_phone_matches``. Returns an ``odoo.tools.Query``."""
        self.env["res.company"]._sales_prefetch_parent_paths()
        # No order: walking an ordered index until enough rows match is what
        # the planner would do, reading every contact when none does.
        # The active contacts, named: whatever the caller's active_test.
        query = self._search([("active", "=", True)], limit=limit)

        def column(name):
            return self._field_to_sql(query.table, name, query)

        conditions = []
        if email_normalized:
            email = column("email_normalized")
            conditions.append(SQL("%s = %s", email, email_normalized))
        if e164:
            tail = "".join(ch for ch in e164 if ch.isdigit())[-PHONE_TAIL:]
            for name in ("phone", "mobile"):
                conditions.append(SQL("%s = %s", phone_tail(column(name)), tail))
        query.add_where(SQL("(%s)", SQL(" OR ").join(conditions)))
        return query

    @api.model
    def _sales_phone_matches(self, e164, candidates):
        """The ids of ``candidates``, rows (id, phone, mobile, country id), whose
        phone or mobile is ``e164`` in full once formatted in the contact's
        country."""
        Lead = self.env["crm.lead"]
        # The countries of numbers stored in local form, read together.
        countries = self.env["res.country"].browse({row[3] for row in candidates})

        def country(country_id):
            return countries.browse(country_id).with_prefetch(countries._prefetch_ids)

        def is_e164(number, country_id):
            # A number stored in E.164 form is compared without parsing it.
            return number == e164 or (
                number
                and Lead._sales_phone_e164(number, country(country_id) or None) == e164
            )

        return [
            partner_id
            for partner_id, phone, mobile, country_id in candidates
            if is_e164(phone, country_id) or is_e164(mobile, country_id)
        ]
