"""18.0.1.1.0: the coordinators' record rules on leads, calls and follow-ups read
the new shared call pool setting. They are noupdate data, which an update never
rewrites: remove them here so that the update creates them anew from the files."""

RULES = (
    "crm_lead_rule_coordinator",
    "sales_call_rule_coordinator",
    "sales_followup_rule_coordinator",
)


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
