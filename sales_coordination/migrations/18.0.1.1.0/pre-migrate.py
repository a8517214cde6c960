"""18.0.1.1.0: the coordinators' record rules on leads, calls and follow-ups read
the new shared call pool setting: recreated from the files by this update."""

from odoo.addons.sales_coordination.tools.upgrade import drop_noupdate_rules


def migrate(cr, version):
    if version:
        drop_noupdate_rules(
            cr,
            (
                "crm_lead_rule_coordinator",
                "sales_call_rule_coordinator",
                "sales_followup_rule_coordinator",
            ),
        )
