from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from ..models.sales_followup import queue_coordinator_sql
from ..tools.backfill import fill_priority
from ..tools.queue_check import queue_problems
from .test_followup_claim import NOW, FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupReach(FollowupCommon):
    """Every due call has a way to a coordinator, and none outlives its purpose."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An advisor nobody coordinates (yet), and a lead of nobody's.
        cls.lone_advisor = cls._new_user(
            "sc_lone_advisor",
            "sales_team.group_sale_salesman",
            "Lone Advisor",
            is_field_advisor=True,
            resource_calendar_id=cls.calendar.id,
        )
        Lead = cls.env["crm.lead"].with_context(default_source_id=cls.source.id)
        cls.lead_lone = Lead.create(
            {"name": "Lead of a lone advisor", "user_id": cls.lone_advisor.id}
        )
        cls.lead_no_company = Lead.create(
            {"name": "Lead of no company", "user_id": False, "company_id": False}
        )

    def test_queue_owner_in_sql_as_in_python(self):
        """The queue owner the SQL fills and checks write and read is the one
        the call's field gives: the advisor's coordinator, else the lead's."""
        salesman_lead = self.env["crm.lead"].create(
            {"name": "Salesman's lead", "user_id": self.salesman.id}
        )
        followups = self.Followup.browse(
            self._followup(lead=lead, kind="callback").id
            for lead in (self.lead, self.lead_unassigned, salesman_lead)
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, %s FROM sales_followup f WHERE id = ANY(%s) ORDER BY id",
                queue_coordinator_sql(SQL.identifier("f")),
                followups.ids,
            )
        )
        self.assertEqual(
            dict(self.env.cr.fetchall()),
            {f.id: f.queue_coordinator_id.id or None for f in followups},
        )
        self.assertTrue(followups[0].queue_coordinator_id)

    def test_calls_of_nobody_reach_every_coordinator(self):
        """A web form's callback (no advisor, no coordinator), a lone advisor's
        call and a lead of no company: Next call hands each out, after the
        coordinator's own calls, even with the shared pool off."""
        self.assertFalse(self.company.sales_shared_queue)
        own = self._followup(lead=self.lead, kind="quote")
        nobodys = (
            self._followup(lead=self.lead_unassigned, kind="callback", is_inbound=True)
            | self._followup(lead=self.lead_lone, kind="callback")
            | self._followup(lead=self.lead_no_company, kind="callback")
        )
        self.assertFalse(nobodys.queue_coordinator_id)
        self.assertEqual(self._claim(self.coordinator), own, "their own come first")
        handed = self.Followup
        for coordinator in (
            self.backup_coordinator,
            self.other_coordinator,
            self.coordinator_c2,
        ):
            claimed = self._claim(coordinator)
            if claimed:
                handed |= claimed
                # What Next call hands out, its coordinator may open.
                mine = claimed.with_user(coordinator)
                self.assertTrue(mine.lead_id.name)
                with freeze_time(NOW):
                    mine.action_open_call()
        # Otto and Bea take two; Cody, done with his own, takes the third.
        with freeze_time(NOW):
            own.with_user(self.coordinator).action_log_call("connected", "done")
        handed |= self._claim(self.coordinator)
        self.assertEqual(handed, nobodys)
        with freeze_time(NOW):
            self.assertFalse(self.Followup.search([("is_due", "=", True)]))

    def test_calls_of_another_company_stay_there(self):
        call = self._followup(lead=self.lead_c2, kind="callback")
        call.lead_id.user_id = False
        self.assertFalse(self._claim(self.coordinator))
        self.assertEqual(self._claim(self.coordinator_c2), call)

    def test_confirmation_ends_when_its_visit_starts(self):
        with freeze_time(NOW - timedelta(days=2)):
            visit = self._book(user=self.coordinator, start=NOW + timedelta(hours=4))
        confirmation = self.lead.followup_ids.filtered(
            lambda f: f.kind == "confirmation"
        )
        self.assertEqual(confirmation.visit_start, visit.start)
        with freeze_time(NOW):
            self.assertTrue(confirmation.is_due)
        # Nobody made it in time: after the start, nobody is handed it.
        later = visit.start + timedelta(minutes=1)
        self.assertFalse(self._claim(self.coordinator, at=later))
        with freeze_time(later):
            confirmation.invalidate_recordset(["is_due"])
            self.assertFalse(confirmation.is_due)
            self.assertFalse(self.Followup.search([("is_due", "=", True)]))
        # Moved to tomorrow, it is worth making again.
        with freeze_time(NOW):
            visit.with_user(self.coordinator).write(
                {
                    "start": visit.start + timedelta(days=1),
                    "stop": visit.stop + timedelta(days=1),
                }
            )
        self.assertEqual(self._claim(self.coordinator, at=later), confirmation)

    def test_no_call_for_a_lead_that_said_yes_or_no(self):
        callback = self._followup(lead=self.lead, kind="callback")
        quote = self._followup(lead=self.lead_2, kind="quote")
        with freeze_time(NOW):
            self.lead.action_set_won()
            self.lead_2.action_set_lost()
        self.assertEqual((callback | quote).mapped("state"), ["cancelled"] * 2)
        self.company.sales_shared_queue = True
        happy = self.lead.followup_ids.filtered(lambda f: f.kind == "happy_call")
        self.assertEqual(happy.state, "queued")
        self.assertFalse(self._claim(self.coordinator), "the happy call is not due")


@tagged("post_install", "-at_install")
class TestFollowupEscalation(FollowupCommon):
    """After the company's number of unanswered calls a coordination manager
    hears of it, once, whatever the lead's team."""

    def _unanswered(self, lead, times):
        followup = self._followup(lead=lead, kind="quote")
        at = NOW
        for _attempt in range(times):
            with freeze_time(at):
                claimed = self.Followup.with_user(self.coordinator).claim_next()
                self.assertEqual(claimed, followup)
                claimed.action_log_call("no_answer")
            at = followup.window_start + timedelta(minutes=5)
        return followup

    def _escalations(self, lead):
        return lead.activity_ids.filtered(
            lambda a: a.summary == "Customer does not answer"
        )

    def test_escalation_whatever_the_team(self):
        attempts = self.company.sales_max_attempts
        leader = self._new_user("sc_team_leader", "sales_team.group_sale_manager")
        team_of_a_manager = self.env["crm.team"].create(
            {"name": "Team of Mona", "user_id": self.manager.id}
        )
        cases = {
            "no team": (False, None),
            "a team without a leader": (
                self.env["crm.team"].create({"name": "Team", "user_id": False}),
                None,
            ),
            "a leader who manages no coordination": (
                self.env["crm.team"].create({"name": "Team", "user_id": leader.id}),
                None,
            ),
            "a coordination manager as leader": (team_of_a_manager, self.manager),
        }
        for case, (team, expected) in cases.items():
            with self.subTest(case=case):
                # A customer of their own: the attempts are the lead's history.
                lead = self.lead.copy({"name": f"Unanswered ({case})"})
                lead.team_id = team
                followup = self._unanswered(lead, attempts + 2)
                self.assertEqual(followup.attempt_count, attempts + 2)
                self.assertEqual(len(followup.call_ids), attempts + 2)
                self.assertTrue(followup.escalated)
                activity = self._escalations(lead)
                self.assertEqual(len(activity), 1, "the manager hears of it once")
                self.assertTrue(
                    activity.user_id.has_group("sales_coordination.group_manager")
                )
                if expected:
                    self.assertEqual(activity.user_id, expected)
                self.assertFalse(activity.user_id.is_inbound_integration)
                followup.sudo()._sales_close("cancelled")


@tagged("post_install", "-at_install")
class TestFollowupRpc(FollowupCommon, HttpCase):
    """Next call as an integrator calls it over XML-RPC and JSON-RPC: the claimed
    follow-up's id, or False."""

    def test_claim_next_answers_an_id_or_false(self):
        now = datetime.now().replace(microsecond=0)
        followup = self.Followup.create(
            {
                "lead_id": self.lead.id,
                "kind": "callback",
                "window_start": now - timedelta(hours=1),
                "window_end": now + timedelta(hours=3),
            }
        )
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, "sc_coordinator", "sc_coordinator", {}
        )
        answer = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            "sc_coordinator",
            "sales.followup",
            "claim_next",
            [],
        )
        self.assertEqual(answer, followup.id)
        followup.invalidate_recordset()
        self.assertEqual(followup.claimed_by_id, self.coordinator)
        followup._sales_close("done")
        self.authenticate("sc_coordinator", "sc_coordinator")
        response = self.make_jsonrpc_request(
            "/web/dataset/call_kw/sales.followup/claim_next",
            {
                "model": "sales.followup",
                "method": "claim_next",
                "args": [],
                "kwargs": {},
            },
        )
        self.assertIs(response, False)


@tagged("post_install", "-at_install")
class TestFollowupCompanies(FollowupCommon):
    """The shared pool is the call's company's setting, in Next call as in the
    rules: Next call never hands out a call its coordinator may not open."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2.sales_shared_queue = True
        cls.coordinator_ab = cls._new_user(
            "sc_coordinator_ab",
            "sales_coordination.group_coordinator",
            "Ana Both",
            company_id=cls.company.id,
            company_ids=(cls.company | cls.company_2).ids,
        )
        # Calls of other coordinators' advisors, one per company.
        cls.call_a = cls._followup(lead=cls.lead, kind="callback")
        cls.call_b = cls._followup(lead=cls.lead_c2, kind="callback")

    def _claim_in(self, user, companies):
        with freeze_time(NOW):
            return (
                self.Followup.with_user(user)
                .with_context(allowed_company_ids=companies.ids)
                .claim_next()
            )

    def test_shared_pool_of_the_calls_company(self):
        both = self.company | self.company_2
        # Default company A (not shared), working in B too (shared).
        claimed = self._claim_in(self.coordinator_ab, both)
        self.assertEqual(claimed, self.call_b)
        opened = claimed.with_user(self.coordinator_ab).with_context(
            allowed_company_ids=both.ids
        )
        self.assertTrue(opened.lead_id.name)
        opened.action_release()
        # Working in A alone, B's pool is not theirs to take from.
        self.assertFalse(self._claim_in(self.coordinator_ab, self.company))

    def test_lease_of_the_calls_company_however_taken(self):
        """A call's lease is its company's, whether Next call hands it out or
        the coordinator opens it from the queue, whichever company they work
        in first."""
        self.company.sales_claim_minutes = 15
        self.company_2.sales_claim_minutes = 40
        both = self.company | self.company_2
        claimed = self._claim_in(self.coordinator_ab, both)
        self.assertEqual(claimed, self.call_b)
        self.assertEqual(claimed.claim_expires_at, NOW + timedelta(minutes=40))
        claimed.with_user(self.coordinator_ab).with_context(
            allowed_company_ids=both.ids
        ).action_release()
        with freeze_time(NOW):
            self.call_b.with_user(self.coordinator_ab).with_context(
                allowed_company_ids=both.ids
            ).action_open_call()
        self.assertEqual(self.call_b.claim_expires_at, NOW + timedelta(minutes=40))

    def test_shared_pool_off_where_the_call_is(self):
        """The reverse: default company B (shared), the call in A (not shared)."""
        self.coordinator_ab.company_id = self.company_2
        self.call_b.sudo()._sales_close("cancelled")
        both = self.company | self.company_2
        self.assertFalse(self._claim_in(self.coordinator_ab, both))
        with self.assertRaises(AccessError):
            self.call_a.with_user(self.coordinator_ab).with_context(
                allowed_company_ids=both.ids
            ).read(["lead_id"])


@tagged("post_install", "-at_install")
class TestQueueUpkeep(FollowupCommon):
    """The queue's own upkeep: priorities brought up to date in short batches,
    calls without a purpose out of the queue, nobody's calls on the board."""

    def test_new_decay_in_batches(self):
        """The days change no row; a new daily decay reaches the queued calls in
        short batches (a call being made is left to its coordinator)."""
        self.lead.write({"expected_revenue": 20000, "probability": 50})
        with freeze_time(NOW - timedelta(days=4)):
            calls = self.Followup.create(
                [
                    {
                        "lead_id": self.lead.id,
                        "kind": "quote",
                        "window_start": NOW - timedelta(hours=1),
                        "window_end": NOW + timedelta(hours=3),
                    }
                    for _i in range(5)
                ]
            )
            self.env.flush_all()
        # The days alone: the job reads no follow-up at all.
        with freeze_time(NOW), self.assertQueryCount(1):
            self.assertEqual(self.Followup._cron_apply_decay(batch=2), 0)
        done = calls[0]
        done.sudo()._sales_close("done")
        with freeze_time(NOW):
            being_made = self.Followup.with_user(self.coordinator).claim_next()
        self.assertIn(being_made, calls)
        old_rate = calls[0].priority_rate
        with freeze_time(NOW):
            self.company.sales_priority_decay = 20
            taken = [self.Followup._cron_apply_decay(batch=2) for _i in range(3)]
        self.assertEqual(taken, [2, 1, 0])
        # The call being made still waits: the company stays pending and the job
        # comes back after a lease.
        self.assertTrue(self.company.sales_priority_rate_pending)
        cron = self.env.ref("sales_coordination.ir_cron_followup_priority")
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [
                    ("cron_id", "=", cron.id),
                    ("call_at", ">=", NOW + timedelta(minutes=15)),
                ]
            )
        )
        for user in (self.manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.company.with_user(user).write(
                    {"sales_priority_rate_pending": False}
                )
        new_rate = self.company._sales_priority_rate()
        self.assertGreater(new_rate, old_rate)
        waiting = calls - done - being_made
        self.assertEqual(set(waiting.mapped("priority_rate")), {new_rate})
        self.assertEqual((done | being_made).mapped("priority_rate"), [old_rate] * 2)
        # The same figures as the ORM's own compute.
        with freeze_time(NOW):
            expected = self.Followup.new({"lead_id": self.lead.id, "kind": "quote"})
            expected.quote_date = calls[0].quote_date
            expected._compute_priority()
            for field in ("priority_key", "priority_score"):
                for value in waiting.mapped(field):
                    self.assertAlmostEqual(value, expected[field], places=6)
        # The call being made takes the new rate once back in the queue.
        being_made.sudo()._sales_release()
        self.Followup._cron_apply_decay()
        self.assertEqual(being_made.priority_rate, new_rate)
        self.assertFalse(self.company.sales_priority_rate_pending)
        # The SQL fill (new columns on a full database, the benchmark's
        # generator) gives the ORM's figures too.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sales_followup SET priority_key = NULL WHERE id = ANY(%s)",
            [waiting.ids],
        )
        fill_priority(
            self.env.cr, self.env.company.id, SQL("f.id = ANY(%s)", waiting.ids)
        )
        waiting.invalidate_recordset()
        for value in waiting.mapped("priority_key"):
            self.assertAlmostEqual(value, expected.priority_key, places=6)
        self.assertFalse(queue_problems(self.env.cr))

    def test_unmade_confirmation_leaves_the_queue(self):
        with freeze_time(NOW - timedelta(days=2)):
            visit = self._book(user=self.coordinator, start=NOW + timedelta(hours=4))
        confirmation = visit.opportunity_id.followup_ids.filtered(
            lambda f: f.kind == "confirmation"
        )
        with freeze_time(NOW):
            self.env["calendar.event"]._cron_debrief_states()
        self.assertEqual(confirmation.state, "queued")
        with freeze_time(visit.start + timedelta(minutes=15)):
            self.env["calendar.event"]._cron_debrief_states()
        self.assertEqual(confirmation.state, "cancelled")

    def test_board_shows_nobodys_calls_until_taken(self):
        start = datetime.now().replace(microsecond=0) - timedelta(hours=2)
        nobodys = self.Followup.create(
            {
                "lead_id": self.lead_unassigned.id,
                "kind": "callback",
                "window_start": start,
                "window_end": start + timedelta(hours=4),
            }
        )
        Board = self.env["sales.coordinator.board"]
        rows = Board.search(
            [
                ("company_id", "=", self.company.id),
                ("user_id", "in", (self.coordinator | self.other_coordinator).ids),
            ]
        )
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows.mapped("unowned_due"), [1, 1])
        for row in rows:
            self.assertAlmostEqual(row.unowned_waiting_hours, 2, delta=0.1)
        other = Board.search(
            [
                ("company_id", "=", self.company_2.id),
                ("user_id", "=", self.coordinator_c2.id),
            ]
        )
        self.assertEqual(other.unowned_due, 0)
        self.assertEqual(
            self.Followup.with_user(self.other_coordinator).claim_next(), nobodys
        )
        self.env.invalidate_all()
        self.assertEqual(
            Board.search([("id", "in", rows.ids)]).mapped("unowned_due"), [0, 0]
        )

    def test_queue_rules_hold_in_the_database(self):
        """Everything the addon queued (demo data included) holds the rules the
        benchmark generator's data is checked against; a row written around
        them is caught."""
        with freeze_time(NOW - timedelta(days=1)):
            self._book(user=self.coordinator, start=NOW + timedelta(days=2))
        self._followup(kind="callback")
        self.env.flush_all()
        self.assertEqual(queue_problems(self.env.cr), {})
        self.env.cr.execute(
            "UPDATE sales_followup SET event_id = NULL, queue_coordinator_id = %s "
            "WHERE lead_id = %s AND kind = 'confirmation'",
            (self.other_coordinator.id, self.lead.id),
        )
        self.assertEqual(
            queue_problems(self.env.cr),
            {
                "confirmation without its visit": 1,
                "queue owner other than the advisor's or the lead's coordinator": 1,
            },
        )
