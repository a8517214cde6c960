"""18.0.1.10.0, before the update: the calls' rules of advisors and coordinators
read the call's lead through a join (``sales.call.lead_id`` has ``auto_join``) and
say that a call without a lead is nobody's unassigned lead's; they are noupdate
data, so they are dropped here and the update creates them anew."""

from odoo.addons.sales_coordination.tools.upgrade import drop_noupdate_rules


def migrate(cr, version):
    if not version:
        return
    drop_noupdate_rules(cr, ["sales_call_rule_salesman", "sales_call_rule_coordinator"])
