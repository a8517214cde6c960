import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime, format_time

from ..tools.side_effect import side_effect
from ..tools.workflow import is_owned, owning

_logger = logging.getLogger(__name__)

# Odoo's e-mails that invite an attendee (or tell them the time changed); for
# the customer of a sales appointment they are replaced by ours.
INVITATION_TEMPLATES = (
    "calendar.calendar_template_meeting_invitation",
    "calendar.calendar_template_meeting_changedate",
)
# The attendee's state that is an answer (the others are no answer yet).
ANSWERS = ("accepted", "declined")


class CalendarAttendee(models.Model):
    """The customer's own attendee of a sales appointment holds their answer to
    the invitation (``calendar.event.customer_response``): only their reply
    through the invitation's link moves it, and a reply that comes too late
    changes nothing."""

    _inherit = "calendar.attendee"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not is_owned(self._name, "state"):
            for vals in vals_list:
                if vals.get("state") not in ANSWERS:
                    continue
                event = self.env["calendar.event"].browse(vals.get("event_id"))
                customer = event and event._sales_customer()
                if customer and vals.get("partner_id") == customer.id:
                    raise UserError(self._sales_answer_message())
        return super().create(vals_list)

    def write(self, vals):
        customers = (
            self._sales_customer_attendees()
            if "state" in vals and not is_owned(self._name, "state")
            else self.browse()
        )
        if not customers:
            return super().write(vals)
        if not self.env.su:
            raise UserError(self._sales_answer_message())
        # As superuser (a calendar sync, a script): the customer's answer moves
        # only through their reply (do_accept, do_decline), which checks that it
        # comes in time and tells the coordinator; anything else leaves it.
        for attendee in customers.filtered(lambda a: a.state != vals["state"]):
            _logger.info(
                "Ignored the answer %s written on the customer of calendar.event %s: "
                "only their reply to the invitation moves it.",
                vals["state"],
                attendee.event_id.id,
            )
        others = self - customers
        result = super(CalendarAttendee, others).write(vals) if others else True
        rest = {key: value for key, value in vals.items() if key != "state"}
        if rest:
            super(CalendarAttendee, customers).write(rest)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sales_customer(self):
        # The customer leaves a sales appointment only when the opportunity's
        # contact changes (see crm.lead's write), which runs as superuser.
        if not self.env.su and self._sales_customer_attendees():
            raise UserError(
                self.env._(
                    "The customer stays an attendee of their sales appointment: "
                    "to invite someone else, change the opportunity's contact."
                )
            )

    def _sales_answer_message(self):
        return self.env._(
            "Only the customer answers the invitation to their sales appointment, "
            "with Accept or Decline in the e-mail they received: their answer "
            "cannot be set from here."
        )

    def _sales_customer_attendees(self):
        """Those of these attendees who are the customer of a sales appointment
        (the contact of its opportunity)."""
        return self.filtered(
            lambda attendee: attendee.partner_id
            and attendee.partner_id == attendee.event_id._sales_customer()
        )

    def _sales_reply_open(self):
        """Whether the customer may still answer: the visit is on (not
        cancelled, the customer has not said no) and has not started yet."""
        self.ensure_one()
        event = self.event_id
        return (
            event.active
            and event.opportunity_id.active
            and event.start > fields.Datetime.now()
        )

    def _sales_reply(self, answer):
        """Split these attendees for ``do_accept``/``do_decline``: returns the
        others and the customers whose ``answer`` still counts; customers
        answering too late are dropped, leaving everything as it was."""
        customers = self._sales_customer_attendees()
        if customers and not self.env.su:
            # Odoo's invitation routes answer as superuser once the token is
            # checked; an internal user's call is not the customer's answer.
            raise UserError(self._sales_answer_message())
        late = customers.filtered(lambda attendee: not attendee._sales_reply_open())
        for attendee in late:
            _logger.info(
                "Ignored %s of calendar.event %s by its customer: the appointment "
                "is over or cancelled.",
                answer,
                attendee.event_id.id,
            )
        return self - customers, customers - late

    def do_accept(self):
        others, customers = self._sales_reply("accepted")
        result = super(CalendarAttendee, others).do_accept() if others else True
        if customers:
            with owning(self._name, "state"):
                super(CalendarAttendee, customers).do_accept()
            customers.event_id._sales_customer_answered("accepted")
        return result

    def do_decline(self):
        others, customers = self._sales_reply("declined")
        result = super(CalendarAttendee, others).do_decline() if others else True
        if customers:
            with owning(self._name, "state"):
                super(CalendarAttendee, customers).do_decline()
            customers.event_id._sales_customer_answered("declined")
        return result

    # ------------------------------------------------------------------
    # The invitation e-mail of a sales appointment
    # ------------------------------------------------------------------

    def _send_mail_to_attendees(self, mail_template, force_send=False):
        # The ids are cached across requests, unlike env.ref(), which reads each
        # template to see it exists: every event Odoo creates comes through here.
        model_data = self.env["ir.model.data"]
        invitations = {
            model_data._xmlid_to_res_id(xmlid, raise_if_not_found=False)
            for xmlid in INVITATION_TEMPLATES
        }
        if not mail_template or mail_template.id not in invitations:
            return super()._send_mail_to_attendees(mail_template, force_send=force_send)
        customers = self._sales_customer_attendees()
        if not customers:
            return super()._send_mail_to_attendees(mail_template, force_send=force_send)
        others = self - customers
        if others:
            super(CalendarAttendee, others)._send_mail_to_attendees(
                mail_template, force_send=force_send
            )
        invited = customers.filtered(
            lambda a: a.event_id._sales_company().sales_customer_invitation
        )
        if invited:
            # Booked is booked: an invitation that cannot go (the organiser has
            # no e-mail address, the mail server is down) is only logged.
            with side_effect(self.env, "The customer's invitation"):
                super(CalendarAttendee, invited)._send_mail_to_attendees(
                    self.env.ref("sales_coordination.mail_template_sales_invitation"),
                    force_send=force_send,
                )
        return True

    def _sales_invitation_values(self):
        """What the customer's invitation says, in their language and time zone:
        a dict of ``advisor``, ``day``, ``window_start``, ``window_end``,
        ``address``, ``coordinator``, ``phone`` (empty strings where unknown)."""
        self.ensure_one()
        event = self.event_id
        partner = self.partner_id
        tz = partner.tz or event.booked_by_id.tz or event.user_id.tz or "UTC"
        lang = partner.lang or self.env.lang
        env = self.with_context(lang=lang).env
        coordinator = (
            event.advisor_id.coordinator_id
            or event.opportunity_id.coordinator_id
            or event.booked_by_id
        )
        company = event._sales_company()
        address = event.location or partner._sales_one_line_address()
        return {
            "advisor": event.advisor_id.name or "",
            "day": format_datetime(
                env, event.start, tz=tz, dt_format="EEEE d MMMM y", lang_code=lang
            ),
            "window_start": format_time(
                env, event.start, tz=tz, time_format="short", lang_code=lang
            ),
            "window_end": format_time(
                env, event.stop, tz=tz, time_format="short", lang_code=lang
            ),
            "address": address or "",
            "coordinator": coordinator.name or company.name or "",
            "phone": coordinator.phone or coordinator.mobile or company.phone or "",
        }
