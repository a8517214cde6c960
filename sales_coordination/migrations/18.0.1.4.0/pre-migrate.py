"""18.0.1.4.0: multi-company, consistently.

- The coordinators' rules on leads, calls, follow-ups and the by-source and
  funnel reports read the shared call pool setting from the record's company
  instead of the coordinator's main company.
- The advisor and coordinator reports take their company from the appointment
  or the call, which may have none: their multi-company rules let those through.

The rules are noupdate: dropped here, before the update, so that it creates them
anew from the files. The board's indexes gain the company column: the old ones
go, the models create the new ones."""

from odoo.tools import SQL

from odoo.addons.sales_coordination.tools.upgrade import drop_noupdate_rules


def migrate(cr, version):
    if not version:
        return
    drop_noupdate_rules(
        cr,
        (
            "crm_lead_rule_coordinator",
            "sales_call_rule_coordinator",
            "sales_followup_rule_coordinator",
            "sales_report_source_rule_coordinator",
            "sales_report_funnel_rule_coordinator",
            "sales_report_advisor_rule_company",
            "sales_report_coordinator_rule_company",
        ),
    )
    for index in ("sales_call_date_user_result_index", "crm_lead_sales_silent_index"):
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
