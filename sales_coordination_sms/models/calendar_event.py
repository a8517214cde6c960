from odoo import api, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model
    def _sales_reminder_alarms(self, company):
        alarms = super()._sales_reminder_alarms(company)
        if company.sales_reminder_sms:
            alarms |= (
                self.env.ref(
                    "sales_coordination_sms.calendar_alarm_sales_reminder_sms",
                    raise_if_not_found=False,
                )
                or alarms.browse()
            )
        return alarms
