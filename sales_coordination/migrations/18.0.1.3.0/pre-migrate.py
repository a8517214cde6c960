"""18.0.1.3.0: with the shared call pool, a coordinator's by-source report covers
every lead of the company, as their lead list does: the rule is recreated from
the file by this update."""

from odoo.addons.sales_coordination.tools.upgrade import drop_noupdate_rules


def migrate(cr, version):
    if version:
        drop_noupdate_rules(cr, ("sales_report_source_rule_coordinator",))
