from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.google_calendar.utils.google_event import GoogleEvent

from .common import GoogleSyncCommon


@tagged("post_install", "-at_install")
class TestGoogleSync(GoogleSyncCommon):
    """A sales appointment in the advisor's Google calendar: pushed there as the
    coordinator books and moves it, kept as the coordinator has it whatever the
    advisor does to their copy."""

    # Odoo to Google

    def test_booking_goes_to_the_advisors_calendar(self):
        event = self._book(user=self.coordinator)
        inserts = self._sent("insert")
        self.assertEqual(len(inserts), 1)
        _method, sender, _google_id, values = inserts[0]
        self.assertEqual(sender, self.advisor, "sent with the advisor's own token")
        self.assertEqual(values["organizer"]["email"], self.advisor.email)
        self.assertEqual(values["start"]["dateTime"], self._iso(event.start))
        self.assertEqual(values["summary"], event.name)

    def test_coordinators_move_reaches_the_advisors_calendar(self):
        event = self._book_synced()
        new_start = event.start + timedelta(hours=4)
        event.with_user(self.coordinator).write(
            {"start": new_start, "stop": new_start + timedelta(hours=1, minutes=30)}
        )
        self.assertTrue(event.need_sync)
        patches = self._sent("patch")
        self.assertEqual(len(patches), 1)
        _method, sender, google_id, values = patches[0]
        self.assertEqual((sender, google_id), (self.advisor, event.google_id))
        self.assertEqual(values["start"]["dateTime"], self._iso(new_start))

    # Google to Odoo: the advisor's changes

    def test_advisors_move_is_refused_and_reported_once(self):
        event = self._book_synced()
        booked = (event.start, event.stop)
        tuesday_3pm = event.start + timedelta(days=1, hours=6)
        moved = self._google_copy(
            event,
            start={"dateTime": self._iso(tuesday_3pm)},
            end={"dateTime": self._iso(tuesday_3pm + timedelta(hours=1))},
        )
        self._sync(moved)
        self.assertEqual((event.start, event.stop), booked)
        self.assertTrue(event.need_sync, "marked to go back to Google")
        patches = self._sent("patch")
        self.assertTrue(patches, "the coordinator's version is sent back")
        self.assertEqual(patches[-1][3]["start"]["dateTime"], self._iso(booked[0]))
        activity = self._refusals()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.coordinator)
        self.assertIn("Ada Advisor moved it to Tuesday", activity.summary)
        self.assertIn("3:00", activity.summary)
        # The same change synced again (the advisor's copy not yet restored).
        self._sync(moved)
        self.assertEqual(len(self._refusals()), 1)
        self.assertEqual((event.start, event.stop), booked)

    def test_advisors_move_out_of_hours_does_not_stop_the_sync(self):
        """A move the booking rules refuse (a Sunday night) and an ordinary
        event's change in the same batch: the ordinary one is applied."""
        event = self._book_synced()
        booked = event.start
        dentist = self.env["calendar.event"].create(
            {
                "name": "Dentist",
                "user_id": self.advisor.id,
                "partner_ids": [(6, 0, self.advisor.partner_id.ids)],
                "start": event.start + timedelta(days=2),
                "stop": event.start + timedelta(days=2, hours=1),
                "google_id": "dentist1",
                "need_sync": False,
            }
        )
        sunday_night = event.start + timedelta(days=6, hours=-7)
        later = dentist.start + timedelta(hours=2)
        self._sync(
            self._google_copy(
                event,
                start={"dateTime": self._iso(sunday_night)},
                end={"dateTime": self._iso(sunday_night + timedelta(hours=1))},
            ),
            self._google_copy(
                dentist,
                summary="Dentist (moved)",
                start={"dateTime": self._iso(later)},
                end={"dateTime": self._iso(later + timedelta(hours=1))},
            ),
        )
        self.assertEqual(event.start, booked)
        self.assertEqual(len(self._refusals()), 1)
        self.assertEqual((dentist.name, dentist.start), ("Dentist (moved)", later))
        self.assertFalse(dentist.need_sync)

    def test_advisors_deletion_is_refused(self):
        event = self._book_synced()
        self._sync(self._google_copy(event, status="cancelled"))
        self.assertTrue(event.exists())
        self.assertTrue(event.active)
        self.assertFalse(event.google_id, "inserted again at the next sync")
        self.assertTrue(event.need_sync)
        self.assertIn("deleted it", self._refusals().summary)
        # The advisor's next sync sends it to their calendar again.
        self.assertIn(
            event,
            self.env["calendar.event"]
            .with_user(self.advisor)
            .sudo()
            ._get_records_to_sync(),
        )

    def test_advisors_other_changes_are_refused(self):
        event = self._book_synced()
        self._sync(
            self._google_copy(
                event,
                summary="Golf",
                location="Club house",
                visibility="private",
                transparency="transparent",
                guestsCanModify=False,
            )
        )
        self.assertEqual(event.name, "Visit: Carla Customer")
        self.assertIn("Springfield", event.location)
        self.assertEqual(event.privacy, "public")
        self.assertEqual(event.show_as, "busy")
        self.assertFalse(event.guests_readonly, "still open to its coordinators")
        summary = self._refusals().summary
        for fragment in (
            "renamed it “Golf”",
            "Club house",
            "made it “Private”",
            "free",
        ):
            self.assertIn(fragment, summary)
        # The coordinator can still move it (Google's edit permission is not
        # the advisor's to take away).
        event.with_user(self.coordinator).start = event.start + timedelta(hours=4)

    def test_echo_of_odoos_push_changes_nothing(self):
        """Google sends back what Odoo sent it: the customer, who has no e-mail
        address and so is not in Google's copy, stays invited; the advisor's
        own answer is recorded; no refusal."""
        event = self._book_synced()
        self.assertFalse(self.customer.email)
        echo = self._google_copy(event)
        for attendee in echo["attendees"]:
            attendee["responseStatus"] = "accepted"
        self._sync(echo)
        self.assertIn(self.customer, event.partner_ids)
        self.assertFalse(self._refusals())
        self.assertFalse(event.need_sync)
        self.assertEqual(
            event.attendee_ids.filtered(
                lambda a: a.partner_id == self.advisor.partner_id
            ).state,
            "accepted",
        )

    # Per role

    def test_sync_without_sudo_refuses_too(self):
        """The advisor's own rights (a sync run as them, without sudo) do not
        let the change through, and the report does not need their rights on
        the lead."""
        event = self._book_synced()
        booked = event.start
        moved = event.start + timedelta(hours=3)
        self._sync(
            self._google_copy(
                event,
                start={"dateTime": self._iso(moved)},
                end={"dateTime": self._iso(moved + timedelta(hours=1))},
            ),
            sudo=False,
        )
        self.assertEqual(event.start, booked)
        self.assertEqual(len(self._refusals()), 1)

    def test_advisor_still_cannot_move_it_in_odoo(self):
        event = self._book_synced()
        with self.assertRefused(AccessError, "your own sales appointments"):
            event.with_user(self.advisor).start = event.start + timedelta(hours=1)

    def test_refusal_goes_to_the_advisors_coordinator_when_a_manager_booked(self):
        event = self._book_synced(user=self.manager)
        self.assertEqual(event.booked_by_id, self.manager)
        self._sync(self._google_copy(event, summary="Lunch"))
        self.assertEqual(self._refusals().user_id, self.manager)
        self.manager.active = False
        self._refusals().unlink()
        self._sync(self._google_copy(event, summary="Lunch"))
        self.assertEqual(self._refusals().user_id, self.coordinator)

    # The advisor's own events are busy time

    def _overlapping_slots(self, day, hours=(8, 10)):
        """The slots proposed on ``day`` that overlap its ``hours``."""
        proposals = (
            self.env["sales.appointment.scheduler"]
            .with_user(self.coordinator)
            .propose_slots(
                self.lead, advisors=self.advisor, date_from=self.start.replace(hour=0)
            )
        )
        window = (day + timedelta(hours=hours[0]), day + timedelta(hours=hours[1]))
        return [
            proposal
            for proposal in proposals
            if proposal["start"] < window[1] and proposal["stop"] > window[0]
        ]

    def test_advisors_synced_events_are_busy_time(self):
        monday = self.start.replace(hour=0)
        tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
        for day in (monday, tuesday, wednesday):
            self.assertTrue(self._overlapping_slots(day), "free before the sync")
        base = {
            "organizer": {"email": self.advisor.email, "self": True},
            "attendees": [],
            "reminders": {"useDefault": True},
            "updated": self._iso(self.start),
            "status": "confirmed",
        }
        self._sync(
            dict(
                base,
                id="dentist2",
                summary="Dentist",
                start={"dateTime": self._iso(monday + timedelta(hours=8))},
                end={"dateTime": self._iso(monday + timedelta(hours=10))},
            ),
            dict(
                base,
                id="reading",
                summary="Reading time",
                transparency="transparent",
                start={"dateTime": self._iso(tuesday + timedelta(hours=8))},
                end={"dateTime": self._iso(tuesday + timedelta(hours=10))},
            ),
            dict(
                base,
                id="timeoff",
                summary="Time off",
                start={"date": wednesday.date().isoformat()},
                end={"date": (wednesday + timedelta(days=1)).date().isoformat()},
            ),
        )
        self.assertFalse(self._overlapping_slots(monday))
        self.assertTrue(self._overlapping_slots(tuesday), "shown as free")
        self.assertFalse(self._overlapping_slots(wednesday, (0, 24)))
        with self.assertRefused(ValidationError, "already busy"):
            self.env["sales.appointment.scheduler"].with_user(self.coordinator).book(
                self.lead,
                self.advisor,
                monday + timedelta(hours=9),
                monday + timedelta(hours=10, minutes=30),
            )

    def test_advisor_making_it_repeat_is_refused(self):
        """Made to repeat in Google, the event comes back as a recurrence on the
        same id; Odoo would build it on the appointment, which refuses to
        repeat, and the sync would stop."""
        event = self._book_synced()
        booked = (event.start, event.stop)
        weekly = self._google_copy(event, recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])
        dentist_start = event.start + timedelta(days=2)
        dentist = {
            "id": "dentist3",
            "summary": "Dentist",
            "organizer": {"email": self.advisor.email, "self": True},
            "attendees": [],
            "reminders": {"useDefault": True},
            "updated": weekly["updated"],
            "status": "confirmed",
            "start": {"dateTime": self._iso(dentist_start)},
            "end": {"dateTime": self._iso(dentist_start + timedelta(hours=1))},
        }
        events = GoogleEvent([weekly, dentist])
        env = self.env(user=self.advisor, su=True)
        events.clear_type_ambiguity(env)
        recurrences = events.filter(lambda gevent: gevent.is_recurrence())
        env["calendar.recurrence"]._sync_google2odoo(recurrences)
        env["calendar.event"]._sync_google2odoo(events - recurrences)
        self.assertFalse(event.recurrency)
        self.assertFalse(event.recurrence_id)
        self.assertEqual((event.start, event.stop), booked)
        self.assertTrue(event.need_sync)
        self.assertIn("made it repeat", self._refusals().summary)
        self.assertTrue(
            self.env["calendar.event"].search_count([("google_id", "=", "dentist3")])
        )
