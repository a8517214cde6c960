from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.base.tests.common import BaseCommon

from ..demo import generator


@tagged("post_install", "-at_install")
class TestDemoData(BaseCommon):
    """The demo data that `make demo` shows: a manager, two coordinators, four paired
    advisors with working hours, leads from several sources, a week of appointments."""

    def test_demo_data(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "sales_coordination")]
        )
        if not module.demo:
            self.skipTest("installed without demo data")
        ref = self.env.ref
        advisors = self.env["res.users"].search(
            [("is_field_advisor", "=", True), ("login", "like", "advisor")]
        )
        self.assertEqual(len(advisors), 4)
        self.assertTrue(all(advisor.resource_calendar_id for advisor in advisors))
        self.assertEqual(
            ref("sales_coordination.user_alice_demo").resource_calendar_id,
            ref("sales_coordination.resource_calendar_field_demo"),
        )
        coordinators = advisors.coordinator_id
        self.assertEqual(len(coordinators), 2)
        self.assertTrue(
            all(
                c.has_group("sales_coordination.group_coordinator")
                for c in coordinators
            )
        )
        manager = ref("sales_coordination.user_manager_demo")
        self.assertTrue(manager.has_group("sales_coordination.group_manager"))
        lead_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "sales_coordination"), ("model", "=", "crm.lead")])
            .mapped("res_id")
        )
        leads = self.env["crm.lead"].browse(lead_ids)
        self.assertGreaterEqual(len(leads), 24)
        self.assertGreaterEqual(len(leads.source_id), 4)
        appointments = self.env["calendar.event"].search(
            [("is_sales_appointment", "=", True), ("advisor_id", "in", advisors.ids)]
        )
        self.assertGreaterEqual(len(appointments), 12)
        self.assertTrue(
            all(a.opportunity_id and a.user_id == a.advisor_id for a in appointments)
        )
        # Last week's visits: debriefed (a quote to follow up, a sale) or due.
        debriefs = self.env["sales.debrief"].search(
            [("advisor_id", "in", advisors.ids), ("state", "=", "done")]
        )
        self.assertGreaterEqual(len(debriefs), 2)
        self.assertTrue(
            appointments.filtered(lambda a: a.debrief_state == "due"),
            "some visits wait for their debrief",
        )
        queued = self.env["sales.followup"].search(
            [("advisor_id", "in", advisors.ids), ("state", "=", "queued")]
        )
        self.assertEqual(
            {"quote", "callback", "happy_call", "confirmation"}
            - set(queued.mapped("kind")),
            set(),
        )

    def _instants(self):
        """The moments the demo is opened at, all after its install: before work
        on a Monday, mid-morning, the evening, after midnight UTC, a Saturday
        afternoon, a Sunday night, the last day of a month; and, with the
        coordinators in Chicago, after midnight there and the day its clocks
        change. (name, naive UTC moment, coordinators' time zone)"""
        today = fields.Date.today()
        monday = today + timedelta(days=7 - today.weekday() + 7)

        def at(day, hour, minute=0):
            return datetime.combine(day, time(hour, minute))

        month_end = (monday + relativedelta(months=1)).replace(day=1) - timedelta(
            days=1
        )
        chicago = ZoneInfo("America/Chicago")
        # The next day the clocks change in Chicago: its offset at noon differs
        # from the day before's.
        change = monday
        while (
            datetime.combine(change, time(12), chicago).utcoffset()
            == datetime.combine(
                change - timedelta(days=1), time(12), chicago
            ).utcoffset()
        ):
            change += timedelta(days=1)
        return [
            ("before work, a Monday", at(monday, 3, 10), "UTC"),
            ("mid-morning", at(monday + timedelta(days=1), 10, 30), "UTC"),
            ("evening", at(monday + timedelta(days=2), 19, 45), "UTC"),
            ("after midnight UTC", at(monday + timedelta(days=3), 0, 20), "UTC"),
            ("a Saturday afternoon", at(monday + timedelta(days=5), 15), "UTC"),
            ("a Sunday night", at(monday + timedelta(days=6), 23, 30), "UTC"),
            ("the last day of a month", at(month_end, 16, 5), "UTC"),
            (
                "after midnight in Chicago",
                at(monday + timedelta(days=4), 6, 40),
                "America/Chicago",
            ),
            ("the day the clocks change", at(change, 9, 15), "America/Chicago"),
        ]

    def _alive(self, now):
        """What the demo shows at ``now``: per demo coordinator, calls that day
        and the day before, callbacks due then and later that day, a visit
        waiting for its debrief, the next visits to confirm, and their board."""
        today = datetime.combine(now.date(), time())
        figures = {}
        for login in ("coordinator_1", "coordinator_2"):
            user = self.env.ref(f"sales_coordination.user_{login}_demo")
            calls = self.env["sales.call"].search([("user_id", "=", user.id)])
            advisors = user.coordinated_advisor_ids
            Followup = self.env["sales.followup"]
            queue = Followup.search(
                [("queue_coordinator_id", "=", user.id), ("state", "=", "queued")]
            )
            due = Followup.search(
                [("queue_coordinator_id", "=", user.id), *Followup._due_domain(now)]
            )
            local_today = fields.Datetime.context_timestamp(user, now).date()
            today_end = user.company_id._sales_local_span(local_today, 0, 24, user.tz)[
                1
            ]
            visits = self.env["calendar.event"].search(
                [
                    ("advisor_id", "in", advisors.ids),
                    ("is_sales_appointment", "=", True),
                ]
            )
            ahead = visits.filtered(lambda v: now < v.start <= now + timedelta(days=7))
            board = (
                self.env["sales.coordinator.board"]
                .with_user(user)
                .search([("user_id", "=", user.id)])
            )
            figures[login] = {
                "today": len(
                    calls.filtered(lambda c, t=today: t <= c.call_date <= now)
                ),
                "yesterday": len(
                    calls.filtered(
                        lambda c, t=today: t - timedelta(days=1) <= c.call_date < t
                    )
                ),
                "connected": len(calls.filtered(lambda c: c.result == "connected")),
                "calls": len(calls),
                "due now": len(due.filtered(lambda f: f.kind == "callback")),
                "later today": len(
                    queue.filtered(lambda f, end=today_end: now < f.window_start < end)
                ),
                "to debrief": len(
                    visits.filtered(
                        lambda v: v.debrief_state == "due"
                        and now - timedelta(days=4) <= v.stop <= now
                    )
                ),
                "to confirm": len(
                    ahead.mapped("opportunity_id.followup_ids").filtered(
                        lambda f: f.kind == "confirmation" and f.state == "queued"
                    )
                ),
                **{
                    f"board {name}": sum(board.mapped(name))
                    for name in (
                        "calls_today",
                        "calls_yesterday",
                        "calls_month",
                        "queue_due",
                        "debriefs_due",
                    )
                },
            }
        return figures

    def _counts(self):
        return {
            model: self.env[model].search_count([])
            for model in ("sales.call", "sales.followup", "calendar.event")
        }

    def test_demo_alive_at_any_hour(self):
        """`make demo` opened at any hour of any day (the update reruns the demo's
        day): each coordinator has calls due now and a board with figures, and
        a second run at the same moment adds nothing."""
        module = self.env["ir.module.module"].search(
            [("name", "=", "sales_coordination")]
        )
        if not module.demo:
            self.skipTest("installed without demo data")
        coordinators = self.env.ref(
            "sales_coordination.user_coordinator_1_demo"
        ) | self.env.ref("sales_coordination.user_coordinator_2_demo")
        for name, now, tz in self._instants():
            # Each moment from the database as installed, rolled back after.
            savepoint = self.env.cr.savepoint()
            try:
                with self.subTest(moment=name, now=now), freeze_time(now):
                    coordinators.tz = tz
                    generator.load_today(self.env)
                    self._check_alive(now)
                    before = self._counts()
                    generator.load_today(self.env)
                    self.assertEqual(
                        self._counts(), before, "a second run adds nothing"
                    )
            finally:
                self.env.flush_all()
                savepoint.close(rollback=True)
                self.env.invalidate_all()

    def _check_alive(self, now):
        for login, figures in self._alive(now).items():
            with self.subTest(coordinator=login):
                user = self.env.ref(f"sales_coordination.user_{login}_demo")
                later = generator.day_windows(user, now)[2:]
                for figure in (
                    "today",
                    "yesterday",
                    "due now",
                    "to debrief",
                    "to confirm",
                    "board calls_today",
                    "board calls_yesterday",
                    "board calls_month",
                    "board queue_due",
                    "board debriefs_due",
                    # (after the evening has begun, no part of the day is left)
                    *(("later today",) if later else ()),
                ):
                    self.assertGreater(figures[figure], 0, figure)
                ratio = figures["connected"] / figures["calls"]
                self.assertTrue(0.05 < ratio < 0.25, ratio)
