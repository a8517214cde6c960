from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import (
    ADVISOR_GROUPS,
    COORDINATOR_GROUPS,
    MOMENTS,
    SalesCoordinationCommon,
)


@tagged("post_install", "-at_install")
class TestMultiCompany(SalesCoordinationCommon):
    """Company A (no shared call pool) and company B (shared call pool); a
    coordinator based in A who also works in B, one based in B who also works in
    A; an advisor who works for both. What each opens, what each company's
    manager reads in the reports, and one calendar for the advisor whatever the
    company booking them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sales_shared_queue = False
        cls.company_2.sales_shared_queue = True
        cls.both = (cls.company | cls.company_2).ids
        cls.coordinator_ab = cls._new_user(
            "sc_coordinator_ab",
            COORDINATOR_GROUPS,
            "Alma of A and B",
            company_id=cls.company.id,
            company_ids=cls.both,
        )
        cls.coordinator_ba = cls._new_user(
            "sc_coordinator_ba",
            COORDINATOR_GROUPS,
            "Bert of B and A",
            company_id=cls.company_2.id,
            company_ids=cls.both,
        )
        cls.advisor_ab = cls._new_user(
            "sc_advisor_ab",
            ADVISOR_GROUPS,
            "Ava of A and B",
            is_field_advisor=True,
            coordinator_id=cls.coordinator_ab.id,
            backup_coordinator_id=cls.coordinator_ba.id,
            resource_calendar_id=cls.calendar.id,
            company_id=cls.company.id,
            company_ids=cls.both,
        )
        # Next door to each other: no travel time to speak of between them.
        street = {"partner_latitude": 39.7817, "partner_longitude": -89.6501}
        cls.customer_a = cls.env["res.partner"].create(
            dict(street, name="Agatha Private")
        )
        cls.customer_b = cls.env["res.partner"].create(dict(street, name="Boris Bee"))
        Lead = cls.env["crm.lead"].with_context(default_source_id=cls.source.id)
        cls.lead_a = Lead.create(
            {
                "name": "Agatha's conservatory",
                "type": "opportunity",
                "partner_id": cls.customer_a.id,
                "user_id": cls.advisor_ab.id,
                "company_id": cls.company.id,
            }
        )
        cls.lead_b = Lead.create(
            {
                "name": "Boris's roof",
                "type": "opportunity",
                "partner_id": cls.customer_b.id,
                "user_id": cls.advisor_ab.id,
                "company_id": cls.company_2.id,
            }
        )

    def _as(self, user, *companies):
        """``user``'s environment with ``companies`` selected (default: all of
        theirs), as the company switcher sets it."""
        return self.env(
            user=user,
            context=dict(
                self.env.context,
                allowed_company_ids=[c.id for c in companies] or user.company_ids.ids,
            ),
        )

    def _book_as(self, user, lead, start, *companies):
        return (
            self._as(user, *companies)["sales.appointment.scheduler"]
            .book(lead.id, self.advisor_ab.id, start, start + timedelta(hours=1.5))
            .sudo()
        )

    def _debrief(self, event, outcome, amount, when):
        event.debrief_state = "due"
        with freeze_time(when):
            return self.env["sales.debrief"].create(
                {
                    "event_id": event.id,
                    "product_interest": "Windows",
                    "amount_untaxed": amount,
                    "probability": 100 if outcome == "won" else 50,
                    "outcome": outcome,
                    "state": "done",
                }
            )

    def _calls(self, user, lead, when, results):
        self.env["sales.call"].create(
            [
                {
                    "user_id": user.id,
                    "lead_id": lead.id,
                    "call_date": when,
                    "result": result,
                }
                for result in results
            ]
        )

    # Record rules: the shared call pool of the record's company

    def test_shared_pool_is_the_records_company_setting(self):
        Followup = self.env["sales.followup"]
        followups = Followup.create(
            [
                {"lead_id": self.lead_2.id, "kind": "callback"},  # A, Otto's
                {"lead_id": self.lead_c2.id, "kind": "callback"},  # B, C2's
            ]
        )
        when = MOMENTS["mid-morning"]
        self._calls(self.other_coordinator, self.lead_2, when, ["connected"])
        self._calls(self.coordinator_c2, self.lead_c2, when, ["voicemail"])
        calls = self.env["sales.call"].search(
            [("lead_id", "in", (self.lead_2 | self.lead_c2).ids)]
        )
        leads = self.lead_2 | self.lead_c2
        # Based in A (no pool) or in B (pool), both open B's records, none of
        # A's others: the pool is B's, whatever the coordinator's main company.
        for user in (self.coordinator_ab, self.coordinator_ba):
            env = self._as(user)
            for records, in_b in (
                (leads, self.lead_c2),
                (followups, followups[1]),
                (calls, calls.filtered(lambda c: c.lead_id == self.lead_c2)),
            ):
                mine = records.with_env(env)
                self.assertEqual(mine.search([("id", "in", records.ids)]), in_b)
                self.assertTrue(in_b.with_env(env).read(["display_name"]))
                with self.assertRaises(AccessError):
                    (records - in_b).with_env(env).read(["display_name"])
            by_source = env["sales.report.source"].search(
                [("lead_id", "in", leads.ids)]
            )
            self.assertEqual(by_source.lead_id, self.lead_c2)
            funnel = env["sales.report.funnel"].search([("lead_id", "in", leads.ids)])
            self.assertEqual(funnel.lead_id, self.lead_c2)
        # Their own advisor's leads they open in either company, pool or not.
        for lead in (self.lead_a, self.lead_b):
            self.assertTrue(lead.with_env(self._as(self.coordinator_ab)).name)
        # The setting changes what they see at once: no cache to clear.
        self.company.sales_shared_queue = True
        self.company_2.sales_shared_queue = False
        for user in (self.coordinator_ab, self.coordinator_ba):
            env = self._as(user)
            self.assertEqual(
                env["crm.lead"].search([("id", "in", leads.ids)]), self.lead_2
            )
            self.assertEqual(
                env["sales.followup"].search([("id", "in", followups.ids)]),
                followups[0],
            )
        # A coordinator of B alone never sees A's records, pool or not.
        env = self._as(self.coordinator_c2)
        self.assertFalse(env["crm.lead"].search([("id", "=", self.lead_2.id)]))

    # Reports: each row in the record's company

    def test_advisor_report_per_company(self):
        monday = self.start
        won_a = self._book(advisor=self.advisor_ab, lead=self.lead_a, start=monday)
        self._book(
            advisor=self.advisor_ab, lead=self.lead_a, start=monday + timedelta(days=1)
        )
        won_b = self._book(
            advisor=self.advisor_ab, lead=self.lead_b, start=monday + timedelta(days=2)
        )
        self._book(
            advisor=self.advisor_ab, lead=self.lead_b, start=monday + timedelta(days=7)
        )
        after = monday + timedelta(days=10)
        self._debrief(won_a, "won", 5000, after)
        self._debrief(won_b, "won", 3000, after)
        week, next_week = monday.date(), (monday + timedelta(days=7)).date()
        expected = {
            # (appointments, debriefs, won, revenue, weekly capacity)
            self.manager: {(week, self.company): (2, 1, 1, 5000, 20)},
            self.manager_c2: {
                (week, self.company_2): (1, 1, 1, 3000, 20),
                (next_week, self.company_2): (1, 0, 0, 0, 20),
            },
        }
        names = [
            "week_start",
            "company_id",
            "appointment_count",
            "debrief_count",
            "won_count",
            "revenue",
            "weekly_capacity",
        ]
        domain = [("advisor_id", "=", self.advisor_ab.id)]
        for manager, rows in expected.items():
            Report = self.env["sales.report.advisor"].with_user(manager)
            Report.search_fetch(domain, names)  # warm the rule caches
            self.env.invalidate_all()
            with self.assertQueryCount(1):
                found = Report.search_fetch(domain, names)
                got = {
                    (row.week_start, row.company_id): (
                        row.appointment_count,
                        row.debrief_count,
                        row.won_count,
                        row.revenue,
                        row.weekly_capacity,
                    )
                    for row in found
                }
            self.assertEqual(got, rows)
        # Their coordinator, working for both, sees both companies' rows.
        mine = self._as(self.coordinator_ab)["sales.report.advisor"].search(domain)
        self.assertEqual(mine.company_id, self.company | self.company_2)

    def test_coordinator_report_per_company(self):
        day = datetime(2031, 2, 3, 10)
        self._calls(self.coordinator_ab, self.lead_a, day, ["connected", "no_answer"])
        self._calls(self.coordinator_ab, self.lead_b, day, ["connected"])
        self._book_as(self.coordinator_ab, self.lead_a, self.start)
        for days in (1, 2):
            self._book_as(
                self.coordinator_ab, self.lead_b, self.start + timedelta(days=days)
            )
        booked_on = (
            self.env["calendar.event"]
            .search([("booked_by_id", "=", self.coordinator_ab.id)], limit=1)
            .create_date.date()
        )
        expected = {
            # (calls, connections, appointments set)
            self.manager: {
                (day.date(), self.company): (2, 1, 0),
                (booked_on, self.company): (0, 0, 1),
            },
            self.manager_c2: {
                (day.date(), self.company_2): (1, 1, 0),
                (booked_on, self.company_2): (0, 0, 2),
            },
        }
        names = [
            "date",
            "company_id",
            "call_count",
            "connected_count",
            "appointment_set_count",
        ]
        domain = [("user_id", "=", self.coordinator_ab.id)]
        for manager, rows in expected.items():
            Report = self.env["sales.report.coordinator"].with_user(manager)
            Report.search_fetch(domain, names)
            self.env.invalidate_all()
            with self.assertQueryCount(1):
                got = {
                    (row.date, row.company_id): (
                        row.call_count,
                        row.connected_count,
                        row.appointment_set_count,
                    )
                    for row in Report.search_fetch(domain, names)
                }
            self.assertEqual(got, rows)
        # The coordinator reads their own days in both companies.
        mine = self._as(self.coordinator_ab)["sales.report.coordinator"].search([])
        self.assertEqual(len(mine), 4)

    def test_board_per_company_with_each_companys_targets(self):
        self._at_each_moment(self._check_board_per_company_with_each_companys_targets)

    def _check_board_per_company_with_each_companys_targets(self, now):
        today = datetime.combine(now.date(), time())
        A, B = self.company, self.company_2
        A.write(
            {
                "sales_daily_call_target": 120,
                "sales_debrief_overdue_hours": 24,
                "sales_not_contacted_days": 3,
            }
        )
        B.write(
            {
                "sales_daily_call_target": 60,
                "sales_debrief_overdue_hours": 24 * 30,
                "sales_not_contacted_days": 7,
            }
        )
        yesterday = today - timedelta(hours=12)
        in_month = yesterday >= today.replace(day=1)
        self._calls(self.coordinator_ab, self.lead_a, now, ["connected", "no_answer"])
        self._calls(self.coordinator_ab, self.lead_a, yesterday, ["no_answer"])
        self._calls(
            self.coordinator_ab,
            self.lead_b,
            now,
            ["connected", "connected", "voicemail"],
        )
        Followup = self.env["sales.followup"]
        window = {
            "kind": "callback",
            "window_start": now - timedelta(hours=1),
            "window_end": now + timedelta(hours=3),
        }
        Followup.create(
            [
                dict(window, lead_id=self.lead_a.id),
                dict(window, lead_id=self.lead_b.id),
                dict(window, lead_id=self.lead_b.id),
            ]
        )
        monday = today - timedelta(days=today.weekday())
        last_week = monday - timedelta(days=7)
        for lead, hour in ((self.lead_a, 9), (self.lead_b, 13)):
            past = self._book(
                advisor=self.advisor_ab,
                lead=lead,
                start=last_week + timedelta(hours=hour),
            )
            past.debrief_state = "due"
            self._book(
                advisor=self.advisor_ab,
                lead=lead,
                start=monday + timedelta(days=2, hours=hour),
            )
        Followup.search([("kind", "=", "confirmation")]).write({"state": "cancelled"})
        Lead = self.env["crm.lead"].with_context(default_source_id=self.source.id)
        for company in (A, B):
            silent = Lead.create(
                {
                    "name": f"Silent in {company.name}",
                    "type": "opportunity",
                    "user_id": self.advisor_ab.id,
                    "company_id": company.id,
                }
            )
            silent.arrival_date = now - timedelta(days=5)

        names = [
            "company_id",
            "call_target",
            "calls_today",
            "calls_yesterday",
            "calls_month",
            "connected_month",
            "queue_due",
            "debriefs_due",
            "debriefs_overdue",
            "leads_not_contacted",
            "appointments_week",
            "capacity_week",
        ]
        expected = {
            # A: 120 calls a day, overdue after a day, silent after 3 days.
            self.manager: (A, 120, 2, 1, 2 + in_month, 1, 1, 1, 1, 1, 1, 20),
            # B: 60 calls a day, overdue after 30 days, silent after 7 days.
            self.manager_c2: (B, 60, 3, 0, 3, 2, 2, 1, 0, 0, 1, 20),
        }
        domain = [("user_id", "=", self.coordinator_ab.id)]
        for manager, figures in expected.items():
            Board = self.env["sales.coordinator.board"].with_user(manager)
            Board.search_fetch(domain, names)
            self.env.invalidate_all()
            # The board's one query, between switching PostgreSQL's JIT off and on.
            with self.assertQueryCount(3):
                row = Board.search_fetch(domain, names)
            self.assertEqual(tuple(row[name] for name in names), figures)
            self.assertAlmostEqual(row.target_today, figures[2] / figures[1])
        # Each company's manager reads its own coordinators only.
        self.assertNotIn(
            self.coordinator_c2,
            self.env["sales.coordinator.board"]
            .with_user(self.manager)
            .search([])
            .user_id,
        )
        self.assertNotIn(
            self.coordinator,
            self.env["sales.coordinator.board"]
            .with_user(self.manager_c2)
            .search([])
            .user_id,
        )
        # Alma reads her two rows, one per company.
        mine = self._as(self.coordinator_ab)["sales.coordinator.board"].search([])
        self.assertEqual(mine.company_id, A | B)

    # One calendar for an advisor of two companies

    def test_double_booking_across_companies_refused(self):
        ten = self.start.replace(hour=10)
        in_a = self._book_as(self.coordinator_ab, self.lead_a, ten, self.company)
        env_b = self._as(self.coordinator_ba, self.company_2)
        # Working in B, Bert cannot read Ava's appointment of A.
        self.assertFalse(env_b["calendar.event"].search([("id", "=", in_a.id)]))
        before = self._state()
        with self.assertRefused(ValidationError, "already busy") as refusal:
            self._book_as(self.coordinator_ba, self.lead_b, ten, self.company_2)
        message = str(refusal.exception)
        self.assertIn(self.advisor_ab.name, message)
        for secret in (self.customer_a.name, self.lead_a.name, in_a.name):
            self.assertNotIn(secret, message)
        self.assertEqual(self._state(), before, "nothing written")
        # Moving a B appointment onto it is refused alike.
        in_b = self._book_as(
            self.coordinator_ba, self.lead_b, ten + timedelta(hours=3), self.company_2
        )
        with self.assertRefused(ValidationError, "already busy"):
            in_b.with_env(env_b).write(
                {"start": ten, "stop": ten + timedelta(hours=1.5)}
            )
        # Proposals in B keep clear of it, without naming it.
        proposals = env_b["sales.appointment.scheduler"].propose_slots(
            self.lead_b.id, date_from=self.start.replace(hour=0), days=1, limit=50
        )
        self.assertTrue(proposals)
        for proposal in proposals:
            self.assertTrue(
                proposal["stop"] <= in_a.start or proposal["start"] >= in_a.stop
            )
            self.assertNotIn(in_a.id, proposal["day_appointment_ids"])
        # Alma, working in both, sees it among the day's visits.
        both = self._as(self.coordinator_ab)["sales.appointment.scheduler"]
        proposals = both.propose_slots(
            self.lead_b.id, date_from=self.start.replace(hour=0), days=1
        )
        self.assertIn(in_a.id, proposals[0]["day_appointment_ids"])

    def test_capacity_counts_both_companies(self):
        self.advisor_ab.write(
            {"daily_appointment_capacity": 2, "weekly_appointment_capacity": 3}
        )
        monday = self.start.replace(hour=9)
        for start in (monday, monday + timedelta(hours=4), monday + timedelta(days=1)):
            self._book_as(self.coordinator_ab, self.lead_a, start, self.company)
        before = self._state()
        with self.assertRefused(ValidationError, "that day"):
            self._book_as(
                self.coordinator_ba,
                self.lead_b,
                monday + timedelta(hours=6),
                self.company_2,
            )
        with self.assertRefused(ValidationError, "that week"):
            self._book_as(
                self.coordinator_ba,
                self.lead_b,
                monday + timedelta(days=2),
                self.company_2,
            )
        self.assertEqual(self._state(), before, "nothing written")
        # The next week is free in either company.
        self._book_as(
            self.coordinator_ba, self.lead_b, monday + timedelta(days=7), self.company_2
        )

    def test_only_those_who_book_an_advisor_see_when_they_are_free(self):
        Scheduler = self._as(self.coordinator_c2)["sales.appointment.scheduler"]
        with self.assertRefused(AccessError, self.advisor_ab.name):
            Scheduler.propose_slots(self.lead_b.id, advisors=self.advisor_ab.ids)

    def _state(self):
        """What a refused booking must leave as it was: Ava's appointments, her
        weeks' booking locks, the B lead's stage."""
        events = (
            self.env["calendar.event"]
            .with_context(active_test=False)
            .search([("advisor_id", "=", self.advisor_ab.id)])
        )
        locks = self.env["sales.booking.lock"].search(
            [("advisor_id", "=", self.advisor_ab.id)]
        )
        return (
            sorted(events.mapped(lambda e: (e.start, e.opportunity_id.id))),
            sorted(locks.mapped(lambda lock: (lock.week, lock.bookings))),
            self.lead_b.stage_id,
        )
