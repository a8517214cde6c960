from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.microsoft_calendar.models.microsoft_sync import MicrosoftSync
from odoo.addons.microsoft_calendar.utils.microsoft_event import MicrosoftEvent
from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestMicrosoftSync(SalesCoordinationCommon):
    """A sales appointment in the advisor's Outlook calendar: sent there at the
    advisor's sync, kept as the coordinator has it whatever the advisor does
    to their copy. Outlook's side is replaced: what Odoo would send is recorded,
    what Outlook sends back is given to the sync as its API returns it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ICP = cls.env["ir.config_parameter"]
        ICP.set_param("microsoft_calendar_sync_paused", False)
        # The cast's appointments are years ahead: the range is a setting.
        ICP.set_param("microsoft_calendar.sync.range_days", 3650)
        cls.advisor.email = "ada.advisor@example.com"
        cls.coordinator.email = "cody.coordinator@example.com"
        cls.advisor.sudo().write(
            {
                "microsoft_calendar_rtoken": "advisor-refresh-token",
                "microsoft_calendar_token": "advisor-token",
                "microsoft_calendar_token_validity": datetime.now() + timedelta(days=1),
            }
        )

    def setUp(self):
        super().setUp()
        self.sent = []  # (method, user, values)

        def record(method):
            def recorded(event, *args, **kwargs):
                values = args[-1] if method != "delete" else None
                self.sent.append((method, event.env.user, values))

            return recorded

        for method in ("insert", "patch", "delete"):
            patcher = patch.object(
                MicrosoftSync,
                f"_microsoft_{method}",
                autospec=True,
                side_effect=record(method),
            )
            patcher.start()
            self.addCleanup(patcher.stop)

    def _sent(self, method):
        return [entry for entry in self.sent if entry[0] == method]

    @classmethod
    def _iso(cls, moment):
        return moment.replace(tzinfo=timezone.utc).isoformat()

    def _book_synced(self):
        event = (
            self.env["sales.appointment.scheduler"]
            .with_user(self.coordinator)
            .book(
                self.lead,
                self.advisor,
                self.start,
                self.start + timedelta(hours=1, minutes=30),
            )
        )
        event.write(
            {
                "microsoft_id": f"ms{event.id}",
                "ms_universal_event_id": f"uid{event.id}",
                "need_sync_m": False,
            }
        )
        self.sent.clear()
        return event

    def _outlook_copy(self, event, **changes):
        """The event as the advisor's Outlook calendar holds it, with
        ``changes``, modified on Outlook's side after Odoo's last write."""
        values = {
            "id": event.microsoft_id,
            "iCalUId": event.ms_universal_event_id,
            "type": "singleInstance",
            "subject": event.name,
            "body": {"content": event.description or "", "contentType": "html"},
            "start": {"dateTime": self._iso(event.start), "timeZone": "UTC"},
            "end": {"dateTime": self._iso(event.stop), "timeZone": "UTC"},
            "isAllDay": False,
            "isOrganizer": True,
            "organizer": {"emailAddress": {"address": self.advisor.email}},
            "attendees": [],
            "showAs": "busy",
            "sensitivity": "normal",
            "isReminderOn": False,
            "location": {"displayName": event.location or ""},
            "lastModifiedDateTime": self._iso(event.write_date + timedelta(minutes=5)),
        }
        values.update(changes)
        return values

    def _sync(self, *outlook_values, sudo=True):
        env = self.env(user=self.advisor, su=sudo)
        return env["calendar.event"]._sync_microsoft2odoo(
            MicrosoftEvent(list(outlook_values))
        )

    def _refusals(self):
        kind = self.env.ref(
            "sales_coordination_calendar_sync.mail_activity_type_calendar_refused"
        )
        return self.lead.activity_ids.filtered(
            lambda activity: activity.activity_type_id == kind
        )

    def _advisors_sync_to_outlook(self):
        """Odoo's half of the advisor's sync: what goes to their Outlook."""
        Event = self.env(user=self.advisor, su=True)["calendar.event"]
        events = Event._get_microsoft_records_to_sync(full_sync=False)
        events._sync_odoo2microsoft()
        return events

    def test_booking_reaches_the_advisors_outlook_at_their_sync(self):
        """The coordinator has no Outlook: the appointment goes to the
        advisor's at their next sync, without the customer (no e-mail address,
        which Outlook needs), and the sync does not fail on it."""
        self.assertFalse(self.customer.email)
        event = (
            self.env["sales.appointment.scheduler"]
            .with_user(self.coordinator)
            .book(self.lead, self.advisor, self.start, self.start + timedelta(hours=1))
        )
        self.sent.clear()
        self.assertIn(event, self._advisors_sync_to_outlook())
        inserts = self._sent("insert")
        self.assertEqual(len(inserts), 1)
        _method, sender, values = inserts[0]
        self.assertEqual(sender, self.advisor)
        self.assertEqual(values["start"]["dateTime"], self._iso(event.start))
        self.assertEqual(
            values["organizer"]["emailAddress"]["address"], self.advisor.email
        )
        self.assertEqual(values["attendees"], [])

    def test_coordinators_move_reaches_the_advisors_outlook(self):
        event = self._book_synced()
        new_start = self.start + timedelta(hours=4)
        event.with_user(self.coordinator).write(
            {"start": new_start, "stop": new_start + timedelta(hours=1)}
        )
        self.assertTrue(event.need_sync_m)
        self.sent.clear()
        self._advisors_sync_to_outlook()
        patches = self._sent("patch")
        self.assertEqual(len(patches), 1)
        self.assertEqual(patches[0][2]["start"]["dateTime"], self._iso(new_start))

    def test_advisors_move_is_refused_reported_once_and_sent_back(self):
        event = self._book_synced()
        booked = event.start
        tuesday_3pm = self.start + timedelta(days=1, hours=6)
        moved = self._outlook_copy(
            event,
            start={"dateTime": self._iso(tuesday_3pm), "timeZone": "UTC"},
            end={
                "dateTime": self._iso(tuesday_3pm + timedelta(hours=1)),
                "timeZone": "UTC",
            },
        )
        self._sync(moved)
        self.assertEqual(event.start, booked)
        self.assertTrue(event.need_sync_m)
        refusal = self._refusals()
        self.assertEqual(refusal.user_id, self.coordinator)
        self.assertIn("moved it to Tuesday", refusal.summary)
        self._sync(moved)
        self.assertEqual(len(self._refusals()), 1)
        self.assertIn(event, self._advisors_sync_to_outlook())
        self.assertEqual(
            self._sent("patch")[-1][2]["start"]["dateTime"], self._iso(booked)
        )

    def test_advisors_deletion_is_refused_and_sent_again(self):
        event = self._book_synced()
        self._sync(self._outlook_copy(event, **{"@removed": {"reason": "deleted"}}))
        self.assertTrue(event.exists() and event.active)
        self.assertFalse(event.ms_universal_event_id)
        self.assertIn("deleted it", self._refusals().summary)
        self.sent.clear()
        self._advisors_sync_to_outlook()
        self.assertEqual(len(self._sent("insert")), 1)

    def test_batch_with_an_ordinary_event_goes_on(self):
        event = self._book_synced()
        lunch = self.env["calendar.event"].create(
            {
                "name": "Lunch",
                "user_id": self.advisor.id,
                "partner_ids": [(6, 0, self.advisor.partner_id.ids)],
                "start": self.start + timedelta(days=2),
                "stop": self.start + timedelta(days=2, hours=1),
                "microsoft_id": "lunch1",
                "ms_universal_event_id": "lunchuid1",
                "need_sync_m": False,
            }
        )
        sunday_night = self.start + timedelta(days=6, hours=-7)
        self._sync(
            self._outlook_copy(
                event,
                subject="Golf",
                start={"dateTime": self._iso(sunday_night), "timeZone": "UTC"},
                end={
                    "dateTime": self._iso(sunday_night + timedelta(hours=1)),
                    "timeZone": "UTC",
                },
            ),
            self._outlook_copy(lunch, subject="Long lunch"),
            sudo=False,
        )
        self.assertEqual(
            (event.name, event.start), ("Visit: Carla Customer", self.start)
        )
        self.assertIn("renamed it “Golf”", self._refusals().summary)
        self.assertEqual(lunch.name, "Long lunch")

    def test_advisors_outlook_events_are_busy_time(self):
        monday = self.start.replace(hour=0)
        self._sync(
            {
                "id": "dentist-ms",
                "iCalUId": "dentist-ms-uid",
                "type": "singleInstance",
                "subject": "Dentist",
                "start": {
                    "dateTime": self._iso(monday + timedelta(hours=9)),
                    "timeZone": "UTC",
                },
                "end": {
                    "dateTime": self._iso(monday + timedelta(hours=11)),
                    "timeZone": "UTC",
                },
                "isAllDay": False,
                "isOrganizer": True,
                "organizer": {"emailAddress": {"address": self.advisor.email}},
                "attendees": [],
                "showAs": "busy",
                "sensitivity": "private",
                "isReminderOn": False,
                "location": {"displayName": ""},
                "lastModifiedDateTime": self._iso(monday),
            }
        )
        dentist = self.env["calendar.event"].search(
            [("microsoft_id", "=", "dentist-ms")]
        )
        self.assertEqual(
            (dentist.partner_ids, dentist.show_as, dentist.user_id),
            (self.advisor.partner_id, "busy", self.advisor),
        )
        self.assertEqual(
            dentist.with_user(self.coordinator).search_count(
                [
                    ("partner_ids", "in", self.advisor.partner_id.ids),
                    ("show_as", "=", "busy"),
                    ("start", "<", monday + timedelta(days=1)),
                ]
            ),
            1,
        )
        with self.assertRefused(ValidationError, "already busy"):
            self.env["sales.appointment.scheduler"].with_user(self.coordinator).book(
                self.lead,
                self.advisor,
                monday + timedelta(hours=10),
                monday + timedelta(hours=11),
            )

    # The customer's answer in the advisor's Outlook copy

    def _with_customer(self, event, response, **changes):
        """The advisor's Outlook copy of ``event`` with the customer among its
        attendees, their response as Outlook reports it to the organiser."""
        return self._outlook_copy(
            event,
            attendees=[
                {
                    "type": "required",
                    "status": {"response": response, "time": "0001-01-01T00:00:00Z"},
                    "emailAddress": {
                        "name": self.customer.name,
                        "address": self.customer.email,
                    },
                }
            ],
            **changes,
        )

    def _customer_attendee(self, event):
        return event.attendee_ids.filtered(lambda a: a.partner_id == self.customer)

    def test_advisors_edit_keeps_the_customers_acceptance(self):
        """The customer accepted through the invitation's link; the advisor
        edits their copy, and Outlook reports its external guest as "none"."""
        self.customer.email = "carla@example.com"
        event = self._book_synced()
        with freeze_time(datetime(2031, 3, 1, 10, 0)):
            self._customer_attendee(event).sudo().do_accept()
        self.assertEqual(event.customer_response, "accepted")
        logger = "odoo.addons.sales_coordination_calendar_sync.models.calendar_attendee"
        with patch(f"{logger}._logger") as log:
            self._sync(self._with_customer(event, "none", subject="Visit (bring van)"))
        self.assertEqual(
            log.info.call_args[0][1:4], ("needsAction", event.id, "accepted")
        )
        self.assertEqual(self._customer_attendee(event).state, "accepted")
        self.assertEqual(event.customer_response, "accepted")
        self.assertIn(self.customer, event.partner_ids, "still invited")
        self.assertIn("renamed it", self._refusals().summary)

    def test_customers_reply_in_outlook_goes_through_the_customers_answer(self):
        self.customer.email = "carla@example.com"
        event = self._book_synced()
        self._sync(self._with_customer(event, "declined"))
        self.assertEqual(event.customer_response, "declined")
        reset = self.env["sales.followup"].search(
            [("event_id", "=", event.id), ("kind", "=", "reset")]
        )
        self.assertEqual(len(reset), 1)
        self.assertTrue(
            self.lead.message_ids.filtered(
                lambda m: "declined the appointment" in (m.body or "")
            )
        )
