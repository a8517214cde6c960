from . import controllers
from . import models
from . import wizards
from . import report


def pre_init_hook(env):
    """On a database that holds leads and appointments already, the addon's
    computed columns of crm's and calendar's tables are created and filled in
    SQL before the install, rather than computed record by record."""
    from .tools.backfill import add_columns

    add_columns(env.cr, env.company.id)


def uninstall_hook(env):
    """Drop what the ORM does not: the indexes on other addons' tables. And empty
    the history tables, which go with the addon anyway: their links to leads,
    appointments and UTM records refuse deletes (history is never lost while the
    addon is there), and the uninstall deletes the addon's own leads and sources
    (its demo data) before it drops the tables."""
    from odoo.tools import SQL

    from .tools.indexes import drop_indexes

    drop_indexes(env.cr)
    for table in (
        "sales_inbound_event",
        "sales_call",
        "sales_debrief",
        "sales_followup",
        "sales_source_cost",
    ):
        env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
    # The addon's e-mail reminder goes with it: the appointments that have it
    # stay (calendar's reminders refuse the delete of one still in use).
    alarm = env.ref(
        "sales_coordination.calendar_alarm_sales_reminder_email",
        raise_if_not_found=False,
    )
    if alarm:
        env.cr.execute(
            SQL(
                "DELETE FROM calendar_alarm_calendar_event_rel"
                " WHERE calendar_alarm_id = %s",
                alarm.id,
            )
        )
