from odoo import api, models

from odoo.addons.google_calendar.utils.google_event import GoogleEvent


class CalendarRecurrence(models.Model):
    _inherit = "calendar.recurrence"

    @api.model
    def _create_from_google(self, gevents, vals_list):
        # An event made to repeat in Google keeps its id and comes back as a new
        # recurrence, which Odoo builds on the event: a sales appointment
        # happens once, so its recurrence is refused (sent back, reported)
        # rather than built and refused by the appointment's rules, which would
        # stop the advisor's sync.
        google_ids = [vals.get("google_id") for vals in vals_list]
        appointments = (
            self.env["calendar.event"]
            .search([("google_id", "in", [gid for gid in google_ids if gid])])
            .filtered("is_sales_appointment")
        )
        if not appointments:
            return super()._create_from_google(gevents, vals_list)
        refused = set(appointments.mapped("google_id"))
        appointments._sales_sync_write({"recurrency": True}, {"need_sync": True})
        kept = [
            (gevent, vals)
            for gevent, vals in zip(gevents, vals_list, strict=False)
            if vals.get("google_id") not in refused
        ]
        if not kept:
            return self.browse()
        return super()._create_from_google(
            GoogleEvent([gevent for gevent, _vals in kept]),
            [vals for _gevent, vals in kept],
        )
