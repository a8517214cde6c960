from odoo import models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _write_from_google(self, gevent, vals):
        # A sales appointment is its coordinator's: the advisor's Google copy
        # gets the coordinator's version back (need_sync).
        appointments = self.filtered("is_sales_appointment")
        appointments._sales_sync_write(vals, {"need_sync": True})
        return super(CalendarEvent, self - appointments)._write_from_google(
            gevent, vals
        )

    def _cancel(self):
        # Deleted from the organiser's Google calendar: the appointment stays
        # and is inserted there again at the next sync (no Google id). An
        # attendee's deletion is their answer, which Odoo records as a decline.
        user = self.env.user
        appointments = self.filtered(
            lambda event: event.is_sales_appointment and event.user_id == user
        )
        appointments._sales_sync_write(
            {"active": False}, {"google_id": False, "need_sync": True}
        )
        return super(CalendarEvent, self - appointments)._cancel()
