"""18.0.1.6.0, after the update: the telephone services' integrations.

The inbound integrations' rules let them change any of the company's calls and
follow-ups; they now change only what they brought (new rules beside these), and
the data file's rules are not updated on a database that has them (noupdate).
Each existing integration gets an endpoint token of its own: a new column is
filled with one default for every row."""

import secrets

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """UPDATE ir_rule SET perm_write = FALSE
                WHERE id IN (SELECT res_id FROM ir_model_data
                              WHERE module = 'sales_coordination'
                                AND model = 'ir.rule'
                                AND name IN %s)""",
            (
                "sales_call_rule_inbound_integration",
                "sales_followup_rule_inbound_integration",
            ),
        )
    )
    cr.execute(SQL("SELECT id FROM sales_inbound_source"))
    for (source_id,) in cr.fetchall():
        cr.execute(
            SQL(
                "UPDATE sales_inbound_source SET endpoint_token = %s WHERE id = %s",
                secrets.token_hex(32),
                source_id,
            )
        )
