"""18.0.1.3.0: the leads' funnel columns were filled when crm_lead got them, which
may be before the appointments got their visit types; count the resets and
rehashes again now that both are there."""

from odoo.addons.sales_coordination.tools.backfill import fill_funnel_columns


def migrate(cr, version):
    if version:
        fill_funnel_columns(cr)
