import logging

from odoo import models

from odoo.addons.sales_coordination.models.calendar_attendee import ANSWERS

_logger = logging.getLogger(__name__)


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def _sales_sync_answer(self, state):
        """Record the answer ``state`` (Odoo's) that the organiser's calendar
        sync reports for the attendee ``self`` of a sales appointment. The
        customer's goes through their reply to the invitation (do_accept,
        do_decline: too late changes nothing, the coordinator is told and a
        decline queues a call to rebook); what is no answer (the provider's
        "none" for a guest it knows nothing of, "needs action", "maybe") never
        replaces the one they gave, and is only logged. Anyone else's answer is
        written as they would in Odoo."""
        self.ensure_one()
        if self.state == state:
            return
        if not self._sales_customer_attendees():
            self.write({"state": state})
            return
        if state not in ANSWERS:
            _logger.info(
                "Calendar sync: ignored the answer %s of the customer of sales "
                "appointment %s (theirs is %s): only their reply moves it.",
                state,
                self.event_id.id,
                self.state,
            )
            return
        # sudo: the customer's reply as their provider reported it to the
        # organiser's sync, which may run with the advisor's own rights; the
        # reply's method holds the customer's rules (too late, the queue, the
        # chatter), as for the invitation's link, which Odoo answers as
        # superuser once its token is checked.
        if state == "accepted":
            self.sudo().do_accept()
        else:
            self.sudo().do_decline()
