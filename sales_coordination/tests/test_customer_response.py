from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from ..models.sales_followup import OPEN_STATES
from ..tools.backfill import fill_customer_responses
from .common import SalesCoordinationCommon

# Saturday: the visit (Monday 2031-03-03 09:00) is booked two days ahead.
BOOKED_AT = datetime(2031, 3, 1, 10, 0)
# Sunday morning: the day-before confirmation call is due.
REPLY_AT = datetime(2031, 3, 2, 9, 0)
# Next call, a few minutes after the customer's reply.
AFTER_REPLY = REPLY_AT + timedelta(minutes=5)
REFUSED = "Only the customer answers the invitation"
WORKFLOW_REFUSED = "Only the record's own buttons and actions"


class CustomerResponseCommon(SalesCoordinationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"email": "carla@example.com", "street": "12 Elm Street"})
        cls.coordinator.phone = "+1 555 0199"
        cls.Followup = cls.env["sales.followup"]
        # Demo data or other addons may have queued calls: start from none.
        cls.Followup.search([("state", "in", OPEN_STATES)]).write(
            {"state": "cancelled"}
        )

    def _book_visit(self, user=None, **kwargs):
        with freeze_time(BOOKED_AT):
            return self._book(user=user or self.coordinator, **kwargs)

    def _customer_attendee(self, event):
        return event.attendee_ids.filtered(
            lambda attendee: attendee.partner_id == self.customer
        )

    def _open_calls(self, event, kind):
        return self.Followup.search(
            [
                ("event_id", "=", event.id),
                ("kind", "=", kind),
                ("state", "in", OPEN_STATES),
            ]
        )


@tagged("post_install", "-at_install")
class TestCustomerAttendee(CustomerResponseCommon):
    """Every sales appointment has its customer among the attendees, however it
    was created, and nobody but the customer answers for them."""

    def test_customer_invited_on_every_creation_path(self):
        by_api = self._book_visit()
        self.assertIn(self.customer, by_api.partner_ids)
        self.assertEqual(len(self._customer_attendee(by_api)), 1)
        self.assertEqual(self._customer_attendee(by_api).state, "needsAction")
        self.assertEqual(by_api.customer_response, "none")
        # Given already (as the booking wizard does): still one attendee.
        values = self._appointment_values(start=self.start + timedelta(hours=4))
        values["partner_ids"] = [Command.link(self.customer.id)]
        with freeze_time(BOOKED_AT):
            given = (
                self.env["calendar.event"].with_user(self.coordinator).create(values)
            )
        self.assertEqual(len(self._customer_attendee(given)), 1)
        # From the lead, its opportunity a default of the context.
        values = self._appointment_values(start=self.start + timedelta(days=2))
        del values["opportunity_id"]
        with freeze_time(BOOKED_AT):
            Event = self.env["calendar.event"].with_user(self.coordinator)
            from_lead = Event.with_context(default_opportunity_id=self.lead.id).create(
                values
            )
        self.assertEqual(from_lead.opportunity_id, self.lead)
        self.assertEqual(len(self._customer_attendee(from_lead)), 1)
        # An import, as the coordinator's Import records does.
        with freeze_time(BOOKED_AT):
            result = (
                self.env["calendar.event"]
                .with_user(self.coordinator)
                .with_context(import_file=True)
                .load(
                    ["name", "start", "stop", "advisor_id/.id", "opportunity_id/.id"],
                    [
                        [
                            "Imported visit",
                            "2031-03-04 09:00:00",
                            "2031-03-04 10:30:00",
                            str(self.advisor.id),
                            str(self.lead.id),
                        ]
                    ],
                )
            )
        self.assertFalse(result["messages"])
        imported = self.env["calendar.event"].browse(result["ids"])
        self.assertTrue(imported.is_sales_appointment)
        self.assertIn(self.customer, imported.partner_ids)

    def test_customer_stays_when_attendees_are_replaced(self):
        event = self._book_visit()
        attendee = self._customer_attendee(event)
        Event = event.with_user(self.coordinator)
        with freeze_time(BOOKED_AT):
            Event.write({"partner_ids": [Command.set(self.advisor.partner_id.ids)]})
            Event.write({"partner_ids": [Command.unlink(self.customer.id)]})
            Event.write({"partner_ids": self.advisor.partner_id.ids})
        self.assertEqual(event.partner_ids, self.advisor.partner_id | self.customer)
        self.assertEqual(self._customer_attendee(event), attendee, "their answer too")
        for user in (self.coordinator, self.manager, self.advisor):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                attendee.with_user(user).unlink()
        self.assertTrue(attendee.exists())

    def test_customer_follows_the_leads_contact(self):
        event = self._book_visit(
            lead=self.lead_2, advisor=self.advisor_2, user=self.other_coordinator
        )
        self.assertEqual(event.partner_ids, self.advisor_2.partner_id)
        with freeze_time(BOOKED_AT):
            past = self._book(
                user=self.other_coordinator,
                lead=self.lead_2,
                advisor=self.advisor_2,
                start=datetime(2031, 2, 24, 9, 0),
            )
        first = self.env["res.partner"].create({"name": "Abe's customer"})
        second = self.env["res.partner"].create({"name": "Abe's customer's wife"})
        # The coordinator sets the contact: the customer joins the visit.
        with freeze_time(BOOKED_AT):
            self.lead_2.with_user(self.other_coordinator).partner_id = first
        self.assertEqual(event.partner_ids, self.advisor_2.partner_id | first)
        self.assertEqual(event.sales_customer_id, first)
        with freeze_time(BOOKED_AT):
            self.lead_2.with_user(self.other_coordinator).partner_id = second
        self.assertEqual(event.partner_ids, self.advisor_2.partner_id | second)
        self.assertEqual(event.sales_customer_id, second)
        self.assertNotIn(first, past.partner_ids, "a past visit keeps its history")
        self.assertNotIn(second, past.partner_ids)

    def test_answer_cannot_be_written_by_any_role(self):
        event = self._book_visit()
        attendee = self._customer_attendee(event)
        roles = (
            self.manager,
            self.coordinator,
            self.backup_coordinator,
            self.advisor,
            self.manager_c2,
        )
        for user in roles:
            for answer in ("accepted", "declined"):
                with self.subTest(user=user.login, answer=answer):
                    with self.assertRaises(UserError):  # AccessError included
                        event.with_user(user).write({"customer_response": answer})
                    with self.assertRaises(UserError):
                        attendee.with_user(user).write({"state": answer})
                    with self.assertRaises(UserError):
                        event.with_user(user).write(
                            {
                                "attendee_ids": [
                                    Command.update(attendee.id, {"state": answer})
                                ]
                            }
                        )
                    method = "do_accept" if answer == "accepted" else "do_decline"
                    with self.assertRaises(UserError):
                        getattr(attendee.with_user(user), method)()
        self.assertEqual(attendee.state, "needsAction")
        self.assertEqual(event.customer_response, "none")
        self.assertFalse(self._open_calls(event, "reset"))
        self.assertEqual(len(self._open_calls(event, "confirmation")), 1)

    def test_refusals_name_the_rule(self):
        event = self._book_visit()
        attendee = self._customer_attendee(event)
        with self.assertRefused(UserError, WORKFLOW_REFUSED):
            event.with_user(self.manager).write({"customer_response": "accepted"})
        with self.assertRefused(UserError, REFUSED):
            attendee.with_user(self.coordinator).write({"state": "accepted"})
        with self.assertRefused(AccessError, ""):
            attendee.with_user(self.manager_c2).write({"state": "accepted"})
        # Nor can an answered customer be made up at creation.
        with self.assertRefused(UserError, WORKFLOW_REFUSED):
            self.env["calendar.event"].with_user(self.coordinator).create(
                {**self._appointment_values(), "customer_response": "accepted"}
            )
        with self.assertRefused(UserError, REFUSED):
            self.env["calendar.attendee"].with_user(self.coordinator).create(
                {
                    "event_id": event.id,
                    "partner_id": self.customer.id,
                    "state": "accepted",
                }
            )
        # The advisor still answers their own invitation.
        mine = event.attendee_ids.filtered(
            lambda a: a.partner_id == self.advisor.partner_id
        )
        mine.with_user(self.advisor).do_decline()
        self.assertEqual(mine.state, "declined")
        self.assertEqual(event.customer_response, "none")

    def test_personal_event_attendees_unaffected(self):
        meeting = (
            self.env["calendar.event"]
            .with_user(self.coordinator)
            .create(
                {
                    "name": "Coffee with Carla",
                    "start": self.start,
                    "stop": self.start + timedelta(hours=1),
                    "partner_ids": [Command.link(self.customer.id)],
                }
            )
        )
        attendee = self._customer_attendee(meeting)
        attendee.with_user(self.coordinator).write({"state": "accepted"})
        self.assertEqual(attendee.state, "accepted")
        self.assertEqual(meeting.customer_response, "none")


@tagged("post_install", "-at_install")
class TestCustomerResponse(CustomerResponseCommon, HttpCase):
    """The customer answers through Odoo's invitation links, over HTTP as they
    would; a late, forged or forwarded link changes nothing."""

    def _reply(self, event, answer, token=None, at=REPLY_AT):
        attendee = self._customer_attendee(event)
        token = attendee.access_token if token is None else token
        with freeze_time(at, tick=True):
            response = self.url_open(
                f"/calendar/meeting/{answer}?token={token}&id={event.id}",
                allow_redirects=False,
            )
        self.env.invalidate_all()
        return response

    def _lead_messages(self, fragment):
        return self.lead.message_ids.filtered(lambda m: fragment in (m.body or ""))

    def _claim(self, user, at=AFTER_REPLY):
        # After the reply: it is handled on a ticking clock (seconds on a loaded
        # machine), and what it queues is due from the moment it was handled.
        with freeze_time(at):
            return self.Followup.with_user(user).claim_next()

    def test_accepted_ends_the_confirmation_call(self):
        event = self._book_visit()
        confirmation = self._open_calls(event, "confirmation")
        self.assertEqual(len(confirmation), 1)
        response = self._reply(event, "accept")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._customer_attendee(event).state, "accepted")
        self.assertEqual(event.customer_response, "accepted")
        self.assertEqual(confirmation.state, "done")
        self.assertFalse(self._claim(self.coordinator), "nothing left to call")
        message = self._lead_messages("accepted the appointment")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.customer)
        self.assertIn("No confirmation call is needed", message.body)
        # Moving the visit: the answer was for the former time.
        with freeze_time(REPLY_AT):
            event.with_user(self.coordinator).write(
                {
                    "start": self.start + timedelta(hours=4),
                    "stop": self.start + timedelta(hours=5, minutes=30),
                }
            )
        self.assertEqual(event.customer_response, "none")
        self.assertEqual(len(self._open_calls(event, "confirmation")), 1)
        self.assertTrue(self._lead_messages("answer no longer holds"))

    def test_accepted_confirmation_call_kept_when_company_calls_anyway(self):
        self.company.sales_confirm_accepted = True
        event = self._book_visit()
        confirmation = self._open_calls(event, "confirmation")
        self._reply(event, "accept")
        self.assertEqual(event.customer_response, "accepted")
        self.assertEqual(confirmation.state, "queued")
        self.assertEqual(self._claim(self.coordinator), confirmation)
        # The call screen says the customer accepted already.
        screen = (
            self.env["sales.call.outcome"]
            .with_user(self.coordinator)
            .new({"followup_id": confirmation.id})
        )
        self.assertEqual(screen.customer_response, "accepted")
        self.assertIn("(the customer accepted)", confirmation.priority_reason)

    def test_declined_queues_a_reset_call_at_the_top(self):
        event = self._book_visit()
        confirmation = self._open_calls(event, "confirmation")
        # A quote follow-up and a callback already wait for the coordinator.
        with freeze_time(REPLY_AT):
            callback = self.Followup.create(
                {
                    "lead_id": self.lead_unassigned.id,
                    "kind": "callback",
                    "window_start": REPLY_AT - timedelta(hours=1),
                    "window_end": REPLY_AT + timedelta(hours=3),
                }
            )
        response = self._reply(event, "decline")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(event.customer_response, "declined")
        self.assertTrue(event.active, "a decline cancels nothing by itself")
        self.assertEqual(confirmation.state, "queued")
        reset = self._open_calls(event, "reset")
        self.assertEqual(len(reset), 1)
        self.assertTrue(reset.is_inbound)
        self.assertEqual(reset.queue_coordinator_id, self.coordinator)
        self.assertGreater(reset.priority_score, callback.priority_score)
        with freeze_time(REPLY_AT):
            self.assertEqual(
                reset.with_user(self.coordinator).priority_reason,
                "declined the visit 0 min ago: book another",
            )
        self.assertGreater(reset.priority_score, confirmation.priority_score)
        self.assertEqual(self._claim(self.coordinator), reset)
        self.assertEqual(len(self._lead_messages("declined the appointment")), 1)
        # Odoo's own link shows the answer again; a second decline adds nothing.
        self._reply(event, "decline")
        self.assertEqual(len(self._open_calls(event, "reset")), 1)

    def test_reset_call_reaches_the_backup_not_other_teams(self):
        event = self._book_visit()
        self._reply(event, "decline")
        reset = self._open_calls(event, "reset")
        for user in (self.other_coordinator, self.coordinator_c2, self.advisor):
            with self.subTest(user=user.login):
                if user == self.advisor:
                    with self.assertRaises(AccessError):
                        self._claim(user)
                else:
                    self.assertFalse(self._claim(user))
        self.assertEqual(reset.state, "queued")
        self.assertEqual(self._claim(self.backup_coordinator), reset)

    def test_declined_then_accepted_ends_the_reset_call(self):
        event = self._book_visit()
        self._reply(event, "decline")
        reset = self._open_calls(event, "reset")
        self.assertEqual(self._claim(self.coordinator), reset)  # on the phone
        self._reply(event, "accept", at=REPLY_AT + timedelta(minutes=5))
        self.assertEqual(event.customer_response, "accepted")
        self.assertEqual(reset.state, "done")
        self.assertFalse(self._open_calls(event, "confirmation"))
        self.assertFalse(self._claim(self.coordinator, REPLY_AT + timedelta(minutes=6)))
        message = self._lead_messages("accepted the appointment")
        self.assertIn("queued when they declined, is done", message.body)
        # And declining once more queues a new call.
        self._reply(event, "decline", at=REPLY_AT + timedelta(minutes=10))
        self.assertEqual(event.customer_response, "declined")
        self.assertEqual(len(self._open_calls(event, "reset")), 1)

    def test_forged_token_changes_nothing(self):
        event = self._book_visit()
        messages = self.lead.message_ids
        for token in ("0" * 32, "", self._customer_attendee(event).access_token[:-1]):
            with self.subTest(token=token):
                response = self._reply(event, "accept", token=token)
                self.assertEqual(response.status_code, 400)
                response = self._reply(event, "decline", token=token)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self._customer_attendee(event).state, "needsAction")
        self.assertEqual(event.customer_response, "none")
        self.assertFalse(self._open_calls(event, "reset"))
        self.assertEqual(self.lead.message_ids, messages)

    def test_link_of_another_attendee_answers_for_them_only(self):
        event = self._book_visit()
        advisor_attendee = event.attendee_ids.filtered(
            lambda a: a.partner_id == self.advisor.partner_id
        )
        self._reply(event, "decline", token=advisor_attendee.access_token)
        self.assertEqual(advisor_attendee.state, "declined")
        self.assertEqual(event.customer_response, "none")
        self.assertFalse(self._open_calls(event, "reset"))

    def test_expired_link_changes_nothing(self):
        event = self._book_visit()
        messages = self.lead.message_ids
        # The visit has started: too late to answer.
        started = self.start + timedelta(minutes=10)
        for answer in ("accept", "decline"):
            response = self._reply(event, answer, at=started)
            self.assertEqual(response.status_code, 200)
        self.assertEqual(self._customer_attendee(event).state, "needsAction")
        self.assertEqual(event.customer_response, "none")
        # Cancelled: the link of the cancelled visit changes nothing either.
        with freeze_time(REPLY_AT):
            event.with_user(self.coordinator).action_archive()
        for answer in ("accept", "decline"):
            self._reply(event, answer)
        self.assertEqual(event.customer_response, "none")
        self.assertFalse(self._open_calls(event, "reset"))
        self.assertFalse(
            (self.lead.message_ids - messages).filtered(
                lambda m: "the appointment" in (m.body or "")
                and m.author_id == self.customer
            )
        )
        # A former contact's link is gone with their attendee.
        event.with_user(self.coordinator).action_unarchive()
        old = self._customer_attendee(event)
        token = old.access_token
        with freeze_time(BOOKED_AT):
            self.lead.partner_id = self.env["res.partner"].create({"name": "New"})
        self.assertFalse(old.exists())
        self.assertEqual(self._reply(event, "accept", token=token).status_code, 400)

    def test_logged_in_user_cannot_answer_for_the_customer(self):
        event = self._book_visit()
        for user in (self.advisor, self.coordinator, self.manager, self.manager_c2):
            with self.subTest(user=user.login):
                self.authenticate(user.login, user.login)
                self.assertEqual(self._reply(event, "accept").status_code, 400)
        self.assertEqual(event.customer_response, "none")


@tagged("post_install", "-at_install")
class TestAppointmentInvitation(CustomerResponseCommon):
    """The customer's invitation is ours: the advisor, the address, the time
    window, the coordinator's phone, in the customer's language."""

    def _invitations(self, event):
        return self.env["mail.message"].search(
            [
                ("model", "=", "calendar.event"),
                ("res_id", "=", event.id),
                ("partner_ids", "in", self.customer.ids),
            ]
        )

    def test_invitation_names_the_visit(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.write({"lang": "fr_FR", "tz": "Europe/Paris"})
        event = self._book_visit()
        invitation = self._invitations(event)
        self.assertEqual(len(invitation), 1)
        self.assertEqual(invitation.subject, "Your appointment with Ada Advisor")
        body = str(invitation.body)
        for fragment in (
            "Ada Advisor",
            "lundi 3 mars 2031",  # in French, in Paris time
            "10:00",
            "11:30",
            "12 Elm Street, Springfield",
            "Cody",
            "+1 555 0199",
            f"/calendar/meeting/accept?token={self._customer_attendee(event).access_token}",
            "/calendar/meeting/decline?token=",
        ):
            with self.subTest(fragment=fragment):
                self.assertIn(fragment, body)
        # The advisor gets Odoo's own invitation, not the customer's.
        advisor_mail = self.env["mail.message"].search(
            [
                ("model", "=", "calendar.event"),
                ("res_id", "=", event.id),
                ("partner_ids", "in", self.advisor.partner_id.ids),
            ]
        )
        self.assertNotIn("Your appointment with", advisor_mail.mapped("subject"))

    def test_invitations_off_per_company(self):
        self.company.sales_customer_invitation = False
        event = self._book_visit()
        self.assertIn(self.customer, event.partner_ids)
        self.assertFalse(self._invitations(event))
        with freeze_time(BOOKED_AT):
            event.with_user(self.coordinator).write(
                {
                    "start": self.start + timedelta(hours=4),
                    "stop": self.start + timedelta(hours=5, minutes=30),
                }
            )
        self.assertFalse(self._invitations(event))

    def test_invitation_setting_is_the_appointments_company(self):
        self.company_2.sales_customer_invitation = False
        customer_c2 = self.env["res.partner"].create(
            {"name": "Chris Customer", "email": "chris@example.com"}
        )
        self.lead_c2.partner_id = customer_c2
        with freeze_time(BOOKED_AT):
            event_c2 = self._book(
                user=self.coordinator_c2, lead=self.lead_c2, advisor=self.advisor_c2
            )
        self.assertIn(customer_c2, event_c2.partner_ids)
        self.assertFalse(
            self.env["mail.message"].search(
                [
                    ("model", "=", "calendar.event"),
                    ("res_id", "=", event_c2.id),
                    ("partner_ids", "in", customer_c2.ids),
                ]
            )
        )
        self.assertEqual(len(self._invitations(self._book_visit())), 1)

    def test_reminder_the_day_before(self):
        event = self._book_visit()
        alarm = self.env.ref("sales_coordination.calendar_alarm_sales_reminder_email")
        # (Odoo installs calendar_sms with sms, and the SMS bridge with it: its
        # text reminder may be there too.)
        self.assertEqual(
            event.alarm_ids.filtered(lambda a: a.alarm_type != "sms"), alarm
        )
        with freeze_time(self.start - timedelta(days=1, minutes=-1)):
            self.env["calendar.alarm_manager"].with_context(
                lastcall=self.start - timedelta(days=1, hours=1)
            )._send_reminder()
        reminders = self._invitations(event).filtered(
            lambda m: "Your appointment with" not in (m.subject or "")
        )
        self.assertEqual(len(reminders), 1)
        # A customer who declined gets no reminder (Odoo's own rule).
        declined = self._book_visit(start=self.start + timedelta(hours=4))
        with freeze_time(REPLY_AT):
            self._customer_attendee(declined).sudo().do_decline()  # as the route
        self.assertEqual(declined.customer_response, "declined")
        with freeze_time(self.start - timedelta(days=1, minutes=-241)):
            self.env["calendar.alarm_manager"].with_context(
                lastcall=self.start - timedelta(days=1, minutes=-200)
            )._send_reminder()
        self.assertFalse(
            self._invitations(declined).filtered(
                lambda m: "Your appointment with" not in (m.subject or "")
            )
        )
        self.company.sales_reminder_email = False
        later = self._book_visit(start=self.start + timedelta(days=1))
        self.assertFalse(later.alarm_ids.filtered(lambda a: a.alarm_type != "sms"))


@tagged("post_install", "-at_install")
class TestCustomerResponseFill(CustomerResponseCommon):
    """The bulk fill of the answers (an existing database) and the appointment's
    own field read one rule: the answer of the customer invited, a decline
    over an acceptance, whatever the lead's contact became since."""

    def test_fill_gives_the_answers_the_field_gives(self):
        with freeze_time(BOOKED_AT):
            past = self._book(user=self.coordinator, start=datetime(2031, 2, 24, 9, 0))
        upcoming = self._book_visit()
        other = self._book_visit(
            lead=self.lead_2, advisor=self.advisor_2, user=self.other_coordinator
        )
        events = (past | upcoming | other).with_env(self.env)
        past = past.with_env(self.env)
        # The lead's contact changed: the past visit keeps its customer, the
        # upcoming one invites the new contact.
        son = self.env["res.partner"].create({"name": "The customer's son"})
        with freeze_time(BOOKED_AT):
            self.lead.with_user(self.coordinator).partner_id = son
        self.assertEqual(past.sales_customer_id, self.customer)
        self.assertEqual(upcoming.with_env(self.env).sales_customer_id, son)
        # The past visit's customer accepted; the upcoming one's answered twice
        # (a decline counts over an acceptance).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE calendar_attendee SET state = %s"
                " WHERE event_id = %s AND partner_id = %s",
                "accepted",
                past.id,
                self.customer.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO calendar_attendee (event_id, partner_id, state)
                   VALUES (%s, %s, 'accepted'), (%s, %s, 'declined')""",
                upcoming.id,
                son.id,
                upcoming.id,
                son.id,
            )
        )
        self.env.invalidate_all()
        self.env.add_to_compute(events._fields["customer_response"], events)
        answers = events.mapped("customer_response")
        self.assertEqual(answers, ["accepted", "declined", "none"])
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE calendar_event SET customer_response = NULL WHERE id IN %s",
                tuple(events.ids),
            )
        )
        fill_customer_responses(self.env.cr)
        self.env.invalidate_all()
        self.assertEqual(events.mapped("customer_response"), answers)
