"""18.0.1.2.0: the multi-company rule on sales appointments reads the company
stored on the appointment instead of going through every lead. It is noupdate
data, which an update never rewrites: remove it here so that the update creates
it anew from the file."""

RULES = ("calendar_event_rule_sales_appointment_company",)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """DELETE FROM ir_rule WHERE id IN (
               SELECT res_id FROM ir_model_data
                WHERE module = 'sales_coordination' AND model = 'ir.rule'
                  AND name IN %s)""",
        (RULES,),
    )
    cr.execute(
        """DELETE FROM ir_model_data
            WHERE module = 'sales_coordination' AND model = 'ir.rule'
              AND name IN %s""",
        (RULES,),
    )
