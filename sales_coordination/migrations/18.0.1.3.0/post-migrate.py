"""18.0.1.3.0: the leads' funnel columns were filled when crm_lead got them, which
may be before the appointments got their visit types; count the resets and
rehashes again now that both are there."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if version:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["crm.lead"]._sales_fill_funnel_columns()
