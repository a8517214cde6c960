"""On a copy of the test database (the addon with its demo data and the cast of
the tests): the addon upgrades in place, uninstalls cleanly, and installs
again."""

from conftest import connect, run_odoo_shell

from odoo.addons.sales_coordination.tools.indexes import INDEXES

OUR_COLUMNS = [
    ("res_users", "coordinator_id"),
    ("res_users", "is_field_advisor"),
    ("calendar_event", "is_sales_appointment"),
    ("calendar_event", "advisor_id"),
]


def leftovers(dbname):
    conn = connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """SELECT table_name, column_name FROM information_schema.columns
                   WHERE (table_name, column_name) IN %s""",
                [tuple(OUR_COLUMNS)],
            )
            columns = cr.fetchall()
            cr.execute(
                "SELECT count(*) FROM ir_model_data WHERE module = 'sales_coordination'"
            )
            xmlids = cr.fetchone()[0]
            cr.execute(
                "SELECT state FROM ir_module_module WHERE name = 'sales_coordination'"
            )
            state = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM crm_lead")
            leads = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname IN %s",
                [tuple(INDEXES)],
            )
            columns += [("index", str(cr.fetchone()[0]))]
            # The addon's own tables and SQL views.
            cr.execute(
                """SELECT count(*) FROM information_schema.tables
                    WHERE table_schema = 'public' AND table_name LIKE 'sales\\_%'"""
            )
            columns += [("tables", str(cr.fetchone()[0]))]
    finally:
        conn.close()
    return columns, xmlids, state, leads


def test_upgrade_uninstall_then_install_again(odoo_command, database_copy):
    columns, xmlids, state, leads = leftovers(database_copy)
    assert state == "installed"

    # An upgrade on the populated demo database keeps everything in place.
    run_odoo_shell(
        odoo_command,
        database_copy,
        "env['ir.module.module'].search([('name', '=', 'sales_coordination')])"
        ".button_immediate_upgrade()\n",
    )
    assert leftovers(database_copy) == (columns, xmlids, state, leads)
    assert columns[-2] == ("index", str(len(INDEXES))), "the addon's indexes are there"
    assert columns[-1][1] != "0", "the addon's tables are there"
    assert len(columns) - 2 == len(OUR_COLUMNS) and xmlids > 0 and leads > 0

    run_odoo_shell(
        odoo_command,
        database_copy,
        "env['ir.module.module'].search([('name', '=', 'sales_coordination')])"
        ".button_immediate_uninstall()\n",
    )
    columns, xmlids, state, leads_after = leftovers(database_copy)
    assert state == "uninstalled"
    assert columns == [("index", "0"), ("tables", "0")], (
        f"columns, indexes or tables left behind: {columns}"
    )
    assert xmlids == 0, "records of the addon left behind"
    # Leads are crm's: the addon's demo leads go, crm's and the users' stay.
    assert leads_after > 0

    run_odoo_shell(
        odoo_command,
        database_copy,
        "env['ir.module.module'].search([('name', '=', 'sales_coordination')])"
        ".button_immediate_install()\n",
    )
    columns, xmlids, state, _leads = leftovers(database_copy)
    assert state == "installed"
    assert len(columns) - 2 == len(OUR_COLUMNS) and xmlids > 0
    assert columns[-2] == ("index", str(len(INDEXES)))
