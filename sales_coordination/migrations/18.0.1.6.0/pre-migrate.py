"""18.0.1.6.0, before the update: the board's index of calls gains their direction
and reason (for the booking rate); the one it replaces goes, the new one is
created by sales.call's init()."""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(SQL("DROP INDEX IF EXISTS sales_call_date_user_company_index"))
