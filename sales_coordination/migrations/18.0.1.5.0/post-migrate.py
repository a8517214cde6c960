"""18.0.1.5.0, after the update: the customer answers the appointment.

Upcoming sales appointments booked before this version get the customer (the
lead's contact) as an attendee, as every new one has, so that Odoo's invitation
links (Accept, Decline) and the day-before reminder reach them: without an
e-mail now (an upgrade sends nobody anything), the reminder as the company's
settings say."""

from odoo import SUPERUSER_ID, Command, api, fields


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(
        cr, SUPERUSER_ID, {"no_mail_to_attendees": True, "tracking_disable": True}
    )
    upcoming = env["calendar.event"].search(
        [
            ("is_sales_appointment", "=", True),
            ("start", ">", fields.Datetime.now()),
        ]
    )
    upcoming._sales_add_customers()
    for event in upcoming:
        company = event.opportunity_id.company_id or env.company
        alarms = event._sales_reminder_alarms(company) - event.alarm_ids
        if alarms:
            event.write({"alarm_ids": [Command.link(alarm.id) for alarm in alarms]})
