"""18.0.1.2.0: the multi-company rule on sales appointments reads the company
stored on the appointment instead of going through every lead: recreated from
the file by this update."""

from odoo.addons.sales_coordination.tools.upgrade import drop_noupdate_rules


def migrate(cr, version):
    if version:
        drop_noupdate_rules(cr, ("calendar_event_rule_sales_appointment_company",))
