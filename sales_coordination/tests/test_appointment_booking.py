from datetime import datetime, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesCoordinationCommon

DOWNTOWN = (39.7817, -89.6501)
NEIGHBOUR = (39.7850, -89.6450)


@tagged("post_install", "-at_install")
class TestAppointmentBooking(SalesCoordinationCommon):
    """Slot proposals on the advisors' calendars, and the same checks on every
    path that books or moves a sales appointment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Scheduler = cls.env["sales.appointment.scheduler"]
        cls.customer.write(
            {
                "partner_latitude": DOWNTOWN[0],
                "partner_longitude": DOWNTOWN[1],
                "zip": "62701",
                "email": "carla@example.com",
            }
        )
        cls.neighbour = cls.env["res.partner"].create(
            {
                "name": "Ned Neighbour",
                "partner_latitude": NEIGHBOUR[0],
                "partner_longitude": NEIGHBOUR[1],
                "zip": "62701",
            }
        )
        cls.lead_neighbour = cls.env["crm.lead"].create(
            {
                "name": "Neighbour's boiler",
                "type": "opportunity",
                "partner_id": cls.neighbour.id,
                "user_id": cls.advisor.id,
                "source_id": cls.source.id,
            }
        )
        # Monday 2031-03-03 09:00 UTC; the standard calendar works 8-12 and 13-17.
        cls.monday = cls.start.replace(hour=0)

    def _at(self, day, hour, minute=0):
        return self.monday + timedelta(days=day, hours=hour, minutes=minute)

    def _propose(self, user=None, **kwargs):
        Scheduler = self.Scheduler.with_user(user or self.coordinator)
        kwargs.setdefault("date_from", self.monday)
        kwargs.setdefault("days", 5)
        return Scheduler.propose_slots(self.lead, **kwargs)

    # Proposals

    def test_proposals_cluster_next_to_the_neighbour(self):
        # The neighbour is visited on Wednesday at 9:00.
        self._book(lead=self.lead_neighbour, start=self._at(2, 9))
        proposals = self._propose()
        best = proposals[0]
        self.assertEqual(best["advisor_id"], self.advisor.id)
        self.assertEqual(best["start"].date(), self._at(2, 0).date())
        self.assertLess(best["added_travel_minutes"], 15)
        self.assertEqual(len(best["day_appointment_ids"]), 1)
        self.assertTrue(all(p["score"] <= best["score"] for p in proposals))
        # Only the advisors this coordinator books for.
        self.assertEqual({p["advisor_id"] for p in proposals}, {self.advisor.id})

    def test_manager_gets_every_advisor(self):
        proposals = self._propose(user=self.manager, limit=200)
        advisors = {p["advisor_id"] for p in proposals}
        self.assertTrue({self.advisor.id, self.advisor_2.id} <= advisors)
        self.assertNotIn(self.advisor_c2.id, advisors, "not another company's")

    def test_customer_window_breaks_ties(self):
        self.lead.write({"reach_weekday": "3", "reach_daypart": "afternoon"})
        best = self._propose(limit=1)[0]
        self.assertTrue(best["in_preferred_window"])
        self.assertEqual(best["start"], self._at(3, 13))

    def test_leaves_are_respected(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Training",
                "resource_id": self.advisor.resource_ids.id,
                "calendar_id": self.calendar.id,
                "date_from": self._at(0, 0),
                "date_to": self._at(5, 0),
            }
        )
        self.assertEqual(self._propose(), [])
        self.assertEqual(
            self._propose(user=self.manager, advisors=self.advisor.ids), []
        )

    def test_query_count_does_not_grow_with_advisors_or_days(self):
        more = self.env["res.users"]
        for i in range(4):
            more |= self._new_user(
                f"sc_more_{i}",
                "sales_team.group_sale_salesman",
                is_field_advisor=True,
                coordinator_id=self.coordinator.id,
                resource_calendar_id=self.calendar.id,
            )
        self._book(lead=self.lead_neighbour, start=self._at(2, 9))

        def count(advisors, days):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._propose(advisors=advisors.ids, days=days)
            return self.env.cr.sql_log_count - before

        count(self.advisor, 3)  # warm the rule and access caches
        small = count(self.advisor, 3)
        self.assertEqual(count(self.advisor | more, 3), small)
        self.assertEqual(count(self.advisor | more, 14), small)
        self.env.invalidate_all()
        with self.assertQueryCount(22):
            self.Scheduler.with_user(self.coordinator).propose_slots(
                self.lead,
                advisors=(self.advisor | more).ids,
                date_from=self.monday,
                days=14,
            )

    # Booking

    def test_book_creates_the_appointment(self):
        self.lead.stage_id = self.env.ref("crm.stage_lead1")
        self.lead.user_id = False
        self.lead.coordinator_id = self.coordinator
        event = self.Scheduler.with_user(self.coordinator).book(
            self.lead, self.advisor, self._at(1, 9), self._at(1, 10, 30)
        )
        self.assertTrue(event.is_sales_appointment)
        self.assertEqual(event.opportunity_id, self.lead)
        self.assertEqual(event.user_id, self.advisor)
        self.assertEqual(event.partner_ids, self.advisor.partner_id | self.customer)
        self.assertEqual(
            self.lead.stage_id, self.env.ref("sales_coordination.crm_stage_appointment")
        )
        self.assertEqual(self.lead.user_id, self.advisor)
        self.assertIn(self.customer, event.attendee_ids.partner_id)

    def test_wizard_books_a_proposal(self):
        wizard = (
            self.env["sales.booking.wizard"]
            .with_user(self.coordinator)
            .create({"lead_id": self.lead.id, "date_from": self.monday, "days": 5})
        )
        self.assertTrue(wizard.proposal_ids)
        proposal = wizard.proposal_ids[0]
        self.assertIn("No other visit", proposal.day_summary)
        action = proposal.action_book()
        event = self.env["calendar.event"].browse(action["res_id"])
        self.assertEqual(
            (event.start, event.advisor_id), (proposal.start, proposal.advisor_id)
        )

    def test_wizard_manual_time_has_the_same_checks(self):
        wizard = (
            self.env["sales.booking.wizard"]
            .with_user(self.coordinator)
            .create({"lead_id": self.lead.id, "date_from": self.monday, "days": 5})
        )
        wizard.write(
            {"manual_advisor_id": self.advisor.id, "manual_start": self._at(0, 6)}
        )
        with self.assertRefused(ValidationError, "does not work on"):
            wizard.action_book_manual()
        wizard.manual_start = self._at(0, 14)
        event_id = wizard.action_book_manual()["res_id"]
        self.assertEqual(
            self.env["calendar.event"].browse(event_id).start, self._at(0, 14)
        )

    # Refusals on every path

    def _count(self):
        return self.env["calendar.event"].search_count([("advisor_id", "!=", False)])

    def test_outside_working_hours(self):
        before = self._count()
        with self.assertRefused(ValidationError, "does not work on"):
            self._book(user=self.coordinator, start=self._at(5, 10))  # Saturday
        with self.assertRefused(ValidationError, "does not work on"):
            self._book(user=self.coordinator, start=self._at(0, 11, 30))  # lunch
        self.assertEqual(self._count(), before)

    def test_overlap_and_travel(self):
        self._book(lead=self.lead_neighbour, start=self._at(0, 8))
        with self.assertRefused(ValidationError, "already busy"):
            self._book(user=self.coordinator, start=self._at(0, 9))
        # Ends 9:30; next door needs the 10-minute stop and a minute of driving.
        with self.assertRefused(ValidationError, "already busy"):
            self._book(user=self.coordinator, start=self._at(0, 9, 30))
        self.assertTrue(self._book(user=self.coordinator, start=self._at(0, 9, 45)))

    def test_one_create_of_several_visits_is_checked_as_several(self):
        """A client creating two visits of one advisor in one call (JSON-RPC's
        create takes a list) meets the rules two calls would: the same hour,
        one day over the capacity, one week over it."""
        Event = self.env["calendar.event"].with_user(self.coordinator)
        with self.assertRefused(ValidationError, "already busy"):
            Event.create(
                [
                    self._appointment_values(start=self._at(0, 9)),
                    self._appointment_values(
                        lead=self.lead_neighbour, start=self._at(0, 9)
                    ),
                ]
            )
        self.assertFalse(
            self.lead.calendar_event_ids | self.lead_neighbour.calendar_event_ids
        )
        self.advisor.write(
            {"daily_appointment_capacity": 1, "weekly_appointment_capacity": 2}
        )
        with self.assertRefused(ValidationError, "appointments that day"):
            Event.create(
                [
                    self._appointment_values(start=self._at(0, 9)),
                    self._appointment_values(
                        lead=self.lead_neighbour, start=self._at(0, 14)
                    ),
                ]
            )
        with self.assertRefused(ValidationError, "appointments that week"):
            Event.create(
                [self._appointment_values(start=self._at(day, 9)) for day in range(3)]
            )
        # Apart enough, the same call books both.
        both = Event.create(
            [
                self._appointment_values(start=self._at(0, 9)),
                self._appointment_values(
                    lead=self.lead_neighbour, start=self._at(1, 9)
                ),
            ]
        )
        self.assertEqual(len(both), 2)

    def test_personal_event_blocks(self):
        self.env["calendar.event"].with_user(self.advisor).create(
            {"name": "Dentist", "start": self._at(0, 9), "stop": self._at(0, 10)}
        )
        with self.assertRefused(ValidationError, "already busy"):
            self._book(user=self.coordinator, start=self._at(0, 9))

    def test_private_personal_event_blocks(self):
        """A private event hides who attends it from the coordinator (Odoo's
        calendar), yet the advisor is busy then."""
        self.env["calendar.event"].with_user(self.advisor).create(
            {
                "name": "Dentist",
                "privacy": "private",
                "start": self._at(0, 9),
                "stop": self._at(0, 10),
            }
        )
        with self.assertRefused(ValidationError, "already busy"):
            self._book(user=self.coordinator, start=self._at(0, 9))
        self.assertFalse(
            [
                proposal
                for proposal in self._propose(days=1)
                if proposal["start"] < self._at(0, 10)
                and proposal["stop"] > self._at(0, 9)
            ]
        )

    def test_start_after_end(self):
        values = self._appointment_values(start=self._at(0, 10))
        values["stop"] = self._at(0, 9)
        with self.assertRaises(ValidationError):
            self.env["calendar.event"].with_user(self.coordinator).create(values)

    def test_daily_and_weekly_capacity(self):
        self.advisor.write(
            {"daily_appointment_capacity": 1, "weekly_appointment_capacity": 2}
        )
        self._book(lead=self.lead_neighbour, start=self._at(0, 9))
        with self.assertRefused(ValidationError, "appointments that day"):
            self._book(user=self.coordinator, start=self._at(0, 14))
        self._book(lead=self.lead_neighbour, start=self._at(1, 9))
        with self.assertRefused(ValidationError, "appointments that week"):
            self._book(user=self.coordinator, start=self._at(2, 9))

    def test_manager_overrides_capacity_in_the_chatter(self):
        self.advisor.daily_appointment_capacity = 1
        self._book(lead=self.lead_neighbour, start=self._at(0, 9))
        with self.assertRefused(AccessError, "Only a sales manager"):
            self.Scheduler.with_user(self.coordinator).book(
                self.lead,
                self.advisor,
                self._at(0, 14),
                self._at(0, 15, 30),
                override_capacity=True,
            )
        event = self.Scheduler.with_user(self.manager).book(
            self.lead,
            self.advisor,
            self._at(0, 14),
            self._at(0, 15, 30),
            override_capacity=True,
        )
        self.assertIn("over the capacity", event.message_ids[0].body)
        self.assertIn("over the capacity", self.lead.message_ids[0].body)
        # An override never allows an overlap.
        with self.assertRefused(ValidationError, "already busy"):
            self.Scheduler.with_user(self.manager).book(
                self.lead,
                self.advisor,
                self._at(0, 14),
                self._at(0, 15, 30),
                override_capacity=True,
            )

    def test_move_by_write_is_checked(self):
        event = self._book(start=self._at(0, 9))
        with self.assertRefused(ValidationError, "does not work on"):
            event.with_user(self.coordinator).write(
                {"start": self._at(0, 18), "stop": self._at(0, 19, 30)}
            )
        self.env.invalidate_all()
        self.assertEqual(event.start, self._at(0, 9))
        event.with_user(self.coordinator).write(
            {"start": self._at(1, 13), "stop": self._at(1, 14, 30)}
        )
        self.assertEqual(event.start, self._at(1, 13))

    def test_moving_through_the_form(self):
        event = self._book(start=self._at(0, 9))
        form_view = self.env.ref("sales_coordination.calendar_event_view_form_sales")
        with (
            self.assertRefused(ValidationError, "does not work on"),
            Form(event.with_user(self.coordinator), view=form_view) as form,
        ):
            form.start = datetime(2031, 3, 8, 9)  # Saturday

    def test_lead_of_another_company(self):
        with self.assertRaises(AccessError):
            self.Scheduler.with_user(self.coordinator).book(
                self.lead_c2, self.advisor, self._at(0, 9), self._at(0, 10, 30)
            )

    def test_import_goes_through_the_checks(self):
        result = (
            self.env["calendar.event"]
            .with_user(self.manager)
            .load(
                [
                    "name",
                    "is_sales_appointment",
                    "advisor_id/.id",
                    "opportunity_id/.id",
                    "start",
                    "stop",
                ],
                [
                    [
                        "Imported visit",
                        "1",
                        str(self.advisor.id),
                        str(self.lead.id),
                        "2031-03-08 09:00:00",
                        "2031-03-08 10:30:00",
                    ]
                ],
            )
        )
        self.assertFalse(result["ids"])
        self.assertIn("does not work on", str(result["messages"]))
