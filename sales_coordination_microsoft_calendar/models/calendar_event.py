from odoo import models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _write_from_microsoft(self, microsoft_event, vals):
        # A sales appointment is its coordinator's: the advisor's Outlook copy
        # gets the coordinator's version back (need_sync_m).
        appointments = self.filtered("is_sales_appointment")
        appointments.with_context(dont_notify=True)._sales_sync_write(
            vals, {"need_sync_m": True}
        )
        return super(CalendarEvent, self - appointments)._write_from_microsoft(
            microsoft_event, vals
        )

    def _cancel_microsoft(self):
        # Deleted from the organiser's Outlook calendar: the appointment stays
        # and is inserted there again at the next sync (no Outlook ids). Deleted
        # from an attendee's: their answer, a decline (Odoo would delete it).
        user = self.env.user
        appointments = self.filtered("is_sales_appointment")
        organised = appointments.filtered(lambda event: event.user_id == user)
        organised.with_context(dont_notify=True)._sales_sync_write(
            {"active": False},
            {
                "microsoft_id": False,
                "ms_universal_event_id": False,
                "need_sync_m": True,
            },
        )
        (appointments - organised).attendee_ids.filtered(
            lambda attendee: attendee.partner_id == user.partner_id
        ).do_decline()
        return super(CalendarEvent, self - appointments)._cancel_microsoft()

    def _ensure_attendees_have_email(self):
        # Outlook needs an address for each attendee, and Odoo refuses to sync an
        # event otherwise, which stops the whole sync. A customer booked by phone
        # often has none: their sales appointments go to the advisor's calendar
        # without them (_microsoft_values), and the advisor's sync goes on.
        return super(
            CalendarEvent, self.filtered(lambda event: not event.is_sales_appointment)
        )._ensure_attendees_have_email()

    def _microsoft_values(self, fields_to_sync, initial_values=None):
        if self.is_sales_appointment:
            # sudo: Odoo reads the organiser's default privacy for Outlook's
            # sensitivity, from settings only they may read; the coordinator
            # booking or moving the advisor's appointment gets it from the cache.
            # A sales appointment's own privacy is always set.
            self.user_id.sudo().mapped("calendar_default_privacy")
        values = super()._microsoft_values(fields_to_sync, initial_values or {})
        if self.is_sales_appointment and "attendees" in values:
            values["attendees"] = [
                attendee
                for attendee in values["attendees"]
                if attendee["emailAddress"]["address"]
            ]
        return values
