"""Helpers for the addon's migration scripts (plain SQL on the cursor)."""


def drop_noupdate_rules(cr, names):
    """Remove the addon's record rules ``names`` (and their xml ids), so that the
    update running next creates them anew from the data files: noupdate data is
    never rewritten by an update."""
    cr.execute(
        """DELETE FROM ir_rule WHERE id IN (
               SELECT res_id FROM ir_model_data
                WHERE module = 'sales_coordination' AND model = 'ir.rule'
                  AND name IN %s)""",
        (tuple(names),),
    )
    cr.execute(
        """DELETE FROM ir_model_data
            WHERE module = 'sales_coordination' AND model = 'ir.rule'
              AND name IN %s""",
        (tuple(names),),
    )
