from datetime import date, datetime, time, timedelta

from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestUi(SalesCoordinationCommon, HttpCase):
    """The coordinator's flows in a real browser."""

    def test_lead_intake_tour(self):
        source = self.env["utm.source"].create({"name": "Yard sign (tour)"})
        self.start_tour(
            "/odoo", "sales_coordination_lead_intake", login="sc_coordinator"
        )
        lead = self.env["crm.lead"].search([("contact_name", "=", "Tara Tour")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.source_id, source)
        self.assertEqual(lead.urgency, "now")
        self.assertEqual(lead.coordinator_id, self.coordinator)
        self.assertEqual(lead.call_ids.mapped("direction"), ["in"])

    def _known_caller_leads(self, count):
        """``count`` open leads of a customer we know by phone and e-mail."""
        self.coordinator.company_id.country_id = self.env.ref("base.us")
        customer = self.env["res.partner"].create(
            {
                "name": "Zoe Known",
                "phone": "+1 217 555 3777",
                "email": "zoe.known@example.com",
                "country_id": self.env.ref("base.us").id,
            }
        )
        Lead = self.env["crm.lead"].with_context(default_source_id=self.source.id)
        return Lead.create(
            [
                {
                    "name": f"Known caller: {which}",
                    "type": "opportunity",
                    "partner_id": customer.id,
                    "user_id": self.advisor.id,
                    "coordinator_id": self.coordinator.id,
                }
                for which in ("first", "second")[:count]
            ]
        )

    def test_lead_intake_known_caller_one_match_tour(self):
        """A returning caller's number, typed as people say it: the lead found is
        chosen, the form saves the call onto it (no client error on the way)."""
        lead = self._known_caller_leads(1)
        action = "action-sales_coordination.crm_lead_action_coordination"
        self.start_tour(
            f"/odoo/{action}",
            "sales_coordination_lead_intake_known_one",
            login="sc_coordinator",
        )
        self.assertEqual(
            self.env["crm.lead"].search([("partner_id", "=", lead.partner_id.id)]),
            lead,
        )
        self.assertEqual(lead.call_ids.mapped("direction"), ["in"])

    def test_lead_intake_known_caller_several_matches_tour(self):
        """Two open leads of the caller: both show, the coordinator keeps one and
        merges the other into it, by their own choice."""
        leads = self._known_caller_leads(2)
        action = "action-sales_coordination.crm_lead_action_coordination"
        self.start_tour(
            f"/odoo/{action}",
            "sales_coordination_lead_intake_known_several",
            login="sc_coordinator",
        )
        kept = leads.exists()
        self.assertEqual(kept, leads[0])
        self.assertEqual(kept.call_ids.mapped("direction"), ["in"])

    def test_lead_merge_tour(self):
        """crm's Merge in the browser: the lead kept shows the calls of both."""
        Lead = self.env["crm.lead"].with_context(default_source_id=self.source.id)
        leads = Lead.create(
            [
                {
                    "name": f"Merge tour: {which} call",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "user_id": self.advisor.id,
                }
                for which in ("first", "second")
            ]
        )
        Call = self.env["sales.call"].with_user(self.coordinator)
        calls = Call.create(
            [
                {"lead_id": leads[0].id, "result": "no_answer"},
                {"lead_id": leads[0].id, "result": "connected"},
                {"lead_id": leads[1].id, "result": "voicemail"},
            ]
        )
        action = "action-sales_coordination.crm_lead_action_coordination"
        self.start_tour(
            f"/odoo/{action}", "sales_coordination_lead_merge", login="sc_coordinator"
        )
        kept = leads.exists()
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.call_ids, calls)

    def test_booking_tour(self):
        self.customer.zip = "62701"
        action = "action-sales_coordination.crm_lead_action_coordination"
        url = f"/odoo/{action}/{self.lead.id}"
        self.start_tour(url, "sales_coordination_booking", login="sc_coordinator")
        event = self.env["calendar.event"].search(
            [("opportunity_id", "=", self.lead.id)]
        )
        self.assertEqual(len(event), 1)
        self.assertEqual(event.advisor_id, self.advisor)
        self.assertEqual(event.booked_by_id, self.coordinator)
        self.assertIn(self.customer, event.partner_ids)

    def test_debrief_tour(self):
        today = datetime.combine(date.today(), time(9))
        event = self._book(start=today - timedelta(days=today.weekday() + 7))
        self.env["calendar.event"]._cron_debrief_states()
        self.assertEqual(event.debrief_state, "due")
        action = "action-sales_coordination.calendar_event_action_debrief_due"
        url = f"/odoo/{action}/{event.id}"
        self.start_tour(url, "sales_coordination_debrief", login="sc_coordinator")
        debrief = event.debrief_ids
        self.assertEqual(debrief.state, "done")
        self.assertEqual(debrief.amount_untaxed, 9500)
        self.assertEqual(event.debrief_state, "done")
        self.assertEqual(debrief.followup_id.kind, "quote")
        self.assertEqual(debrief.followup_id.window_start.hour, 17)
        self.assertEqual(self.lead.expected_revenue, 9500)

    def test_debrief_from_draft_tour(self):
        """The advisor's draft from the field is where the coordinator's debrief
        starts; the coordinator's confirmation moves the opportunity."""
        today = datetime.combine(date.today(), time(9))
        event = self._book(start=today - timedelta(days=today.weekday() + 7))
        draft = (
            self.env["sales.debrief"]
            .with_user(self.advisor)
            .create(
                {
                    "event_id": event.id,
                    "product_interest": "Heat pump 9 kW",
                    "amount_untaxed": 9500,
                    "probability": 60,
                    "outcome": "won",
                }
            )
        )
        self.env["calendar.event"]._cron_debrief_states()
        self.assertEqual(self.lead.expected_revenue, 0)
        action = "action-sales_coordination.calendar_event_action_debrief_due"
        self.start_tour(
            f"/odoo/{action}/{event.id}",
            "sales_coordination_debrief_from_draft",
            login="sc_coordinator",
        )
        self.assertEqual(event.debrief_ids, draft)
        self.assertEqual(draft.state, "done")
        self.assertEqual(draft.coordinator_id, self.coordinator)
        self.assertEqual(self.lead.expected_revenue, 9500)
        self.assertTrue(self.lead.stage_id.is_won)

    def test_next_call_tour(self):
        self.lead.perceived_need = "Cold rooms upstairs"
        now = datetime.now()
        today = datetime.combine(now.date(), time())
        # Agreed as "yesterday evening or any time today" (the coordinator's time
        # zone is UTC): due whenever the tour runs.
        followup = self.env["sales.followup"].create(
            {
                "lead_id": self.lead.id,
                "kind": "callback",
                "window_start": today - timedelta(hours=7),
                "window_end": today + timedelta(hours=20),
            }
        )
        self.start_tour("/odoo", "sales_coordination_next_call", login="sc_coordinator")
        self.assertEqual(followup.call_ids.result, "no_answer")
        self.assertEqual(followup.call_ids.user_id, self.coordinator)
        self.assertEqual(followup.attempt_count, 1)
        self.assertEqual(followup.state, "queued")
        self.assertGreater(followup.window_start, now)

    def test_manager_reports_tour(self):
        self.env["sales.call"].create(
            [
                {"user_id": self.coordinator.id, "lead_id": self.lead.id}
                for _ in range(2)
            ]
        )
        self.start_tour(
            "/odoo", "sales_coordination_manager_reports", login="sc_manager"
        )

    def test_no_show_tour(self):
        event = self._book(start=datetime(2025, 3, 3, 9, 0))
        self.start_tour(
            f"/odoo/action-sales_coordination.calendar_event_action_sales/{event.id}",
            "sales_coordination_no_show",
            login="sc_coordinator",
        )
        self.assertTrue(event.is_no_show)
        reset = event.opportunity_id.followup_ids.filtered(lambda f: f.kind == "reset")
        self.assertEqual(reset.state, "queued")

    def test_source_funnel_tour(self):
        radio = self.env["utm.source"].create({"name": "Radio (tour)"})
        lead = self.env["crm.lead"].create(
            {
                "name": "Sold at the first visit",
                "type": "opportunity",
                "source_id": radio.id,
                "user_id": self.advisor.id,
            }
        )
        event = self._book(lead=lead, start=datetime(2025, 3, 3, 9, 0))
        debrief = self.env["sales.debrief"].create(
            {
                "event_id": event.id,
                "product_interest": "Heat pump",
                "amount_untaxed": 18000,
                "probability": 100,
                "outcome": "won",
            }
        )
        debrief.action_confirm()
        self.env["sales.source.cost"].create(
            {
                "source_id": radio.id,
                "month": date.today().replace(day=1),
                "amount": 1000,
            }
        )
        self.start_tour("/odoo", "sales_coordination_source_funnel", login="sc_manager")

    def test_calendar_tour(self):
        today = date.today()
        sunday = today - timedelta(days=(today.weekday() + 1) % 7)
        self._book(start=datetime.combine(sunday + timedelta(days=3), time(10)))
        action = "action-sales_coordination.calendar_event_action_sales"
        self.start_tour(
            f"/odoo/{action}", "sales_coordination_calendar", login="sc_coordinator"
        )

    def test_customer_answer_tour(self):
        """The customers answer over Odoo's invitation links; the coordinator
        sees both answers in the advisors' calendar and on the appointment."""
        day = date.today() + timedelta(days=1)
        while day.weekday() >= 5:  # the advisor works Monday to Friday
            day += timedelta(days=1)
        for hour, answer, name in (
            (10, "accept", "Accepting"),
            (14, "decline", "Declining"),
        ):
            event = self._book(
                user=self.coordinator, start=datetime.combine(day, time(hour))
            )
            event.name = f"Visit: {name}"
            attendee = event.attendee_ids.filtered(
                lambda a: a.partner_id == self.customer
            )
            response = self.url_open(
                f"/calendar/meeting/{answer}?token={attendee.access_token}"
                f"&id={event.id}"
            )
            self.assertEqual(response.status_code, 200)
        action = "action-sales_coordination.calendar_event_action_sales"
        self.start_tour(
            f"/odoo/{action}",
            "sales_coordination_customer_answer",
            login="sc_coordinator",
        )


@tagged("post_install", "-at_install")
class TestUiPhone(SalesCoordinationCommon, HttpCase):
    """The advisor's day in a phone-sized browser."""

    browser_size = "375x667"
    touch_enabled = True

    def _advisor_always_working(self):
        # Working every hour of every day: the tour runs whenever CI does.
        self.advisor.resource_calendar_id = self.env["resource.calendar"].create(
            {
                "name": "Always (tour)",
                "tz": "UTC",
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"{day}",
                            "dayofweek": str(day),
                            "hour_from": 0,
                            "hour_to": 23.99,
                        },
                    )
                    for day in range(7)
                ],
            }
        )

    def test_advisor_day_tour(self):
        self._advisor_always_working()
        self.customer.write({"street": "12 Elm Street", "city": "Springfield"})
        today = datetime.combine(date.today(), time())
        Lead = self.env["crm.lead"]
        leads = {
            name: Lead.create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "user_id": self.advisor.id,
                    "phone": "+1 555 0100",
                    "source_id": self.source.id,
                }
            )
            for name in ("Late visit tour", "Morning visit tour", "Tomorrow visit tour")
        }
        Scheduler = self.env["sales.appointment.scheduler"].with_user(self.coordinator)
        for name, start in (
            ("Late visit tour", today + timedelta(hours=15)),
            ("Morning visit tour", today + timedelta(hours=1)),
            ("Tomorrow visit tour", today + timedelta(days=1, hours=1)),
        ):
            Scheduler.book(
                leads[name], self.advisor, start, start + timedelta(minutes=90)
            )
        self.start_tour(
            "/odoo/my-day", "sales_coordination_advisor_day", login="sc_advisor"
        )

    def test_advisor_result_tour(self):
        """At the customer's, the visit started: the advisor records its result
        from My Day on their phone, a draft that moves nothing yet."""
        now = datetime.now().replace(second=0, microsecond=0)
        # Started, today, and over by midnight whatever the hour the tour runs
        # (the advisor's day, even an always-working one, ends at midnight: a
        # visit started at 22:38 was refused at 23:38).
        midnight = datetime.combine(now.date(), time())
        start = max(
            midnight,
            min(now - timedelta(hours=1), midnight + timedelta(hours=22, minutes=29)),
        )
        self._advisor_always_working()
        event = self._book(start=start)
        followups = self.lead.followup_ids
        self.start_tour(
            "/odoo/my-day", "sales_coordination_advisor_result", login="sc_advisor"
        )
        debrief = event.debrief_ids
        self.assertEqual(len(debrief), 1)
        self.assertEqual(debrief.state, "draft")
        self.assertEqual(debrief.outcome, "advance")
        self.assertEqual(debrief.product_interest, "Heat pump 9 kW")
        self.assertEqual(debrief.amount_untaxed, 9500)
        self.assertEqual(debrief.probability, 60)
        self.assertEqual(debrief.next_step, "Compare with the neighbour's quote")
        self.assertEqual(debrief.followup_daypart, "evening")
        self.assertEqual(debrief.followup_window_start.hour, 17)
        # A draft: the opportunity and the queue wait for the coordinator.
        self.assertEqual(self.lead.expected_revenue, 0)
        self.assertEqual(self.lead.followup_ids, followups)
        opened = event.with_user(self.coordinator).action_open_debrief()
        self.assertEqual(opened["res_id"], debrief.id)
