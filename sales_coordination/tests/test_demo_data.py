from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.base.tests.common import BaseCommon


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

    def _alive(self, now):
        """What the demo shows on the day ``now``: per demo coordinator, calls
        that day and the day before, callbacks due then and later that day, a
        visit waiting for its debrief, the next day's visits to confirm."""
        today = datetime.combine(now.date(), datetime.min.time())
        figures = {}
        for login in ("coordinator_1", "coordinator_2"):
            user = self.env.ref(f"sales_coordination.user_{login}_demo")
            calls = self.env["sales.call"].search([("user_id", "=", user.id)])
            advisors = user.coordinated_advisor_ids
            queue = self.env["sales.followup"].search(
                [("queue_coordinator_id", "=", user.id), ("state", "=", "queued")]
            )
            visits = self.env["calendar.event"].search(
                [
                    ("advisor_id", "in", advisors.ids),
                    ("is_sales_appointment", "=", True),
                ]
            )
            tomorrow = visits.filtered(
                lambda v, t=today: t + timedelta(days=1)
                <= v.start
                < t + timedelta(days=2)
            )
            figures[login] = {
                "today": len(calls.filtered(lambda c, t=today: c.call_date >= t)),
                "yesterday": len(
                    calls.filtered(
                        lambda c, t=today: t - timedelta(days=1) <= c.call_date < t
                    )
                ),
                "connected": len(calls.filtered(lambda c: c.result == "connected")),
                "calls": len(calls),
                "due now": len(
                    queue.filtered(
                        lambda f, t=today: t <= f.window_start <= now
                        and f.kind == "callback"
                    )
                ),
                "later today": len(
                    queue.filtered(
                        lambda f, t=today: now < f.window_start < t + timedelta(days=1)
                    )
                ),
                "to debrief": len(
                    visits.filtered(
                        lambda v: v.debrief_state == "due"
                        and now - timedelta(days=1) <= v.stop <= now
                    )
                ),
                "to confirm": len(
                    tomorrow.mapped("opportunity_id.followup_ids").filtered(
                        lambda f: f.kind == "confirmation" and f.state == "queued"
                    )
                ),
            }
        return figures

    def test_demo_alive_today_and_a_week_later(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "sales_coordination")]
        )
        if not module.demo:
            self.skipTest("installed without demo data")
        self._check_alive(datetime.now())
        # A database reused a week later: the update runs it again.
        later = datetime.now() + timedelta(days=7)
        with freeze_time(later):
            self.env["sales.source.cost"]._demo_today()
            self._check_alive(later)
            before = self.env["sales.call"].search_count([])
            self.env["sales.source.cost"]._demo_today()
            self.assertEqual(self.env["sales.call"].search_count([]), before)

    def _check_alive(self, now):
        for login, figures in self._alive(now).items():
            with self.subTest(coordinator=login):
                for figure in (
                    "today",
                    "yesterday",
                    "due now",
                    "later today",
                    "to debrief",
                    "to confirm",
                ):
                    self.assertGreater(figures[figure], 0, figure)
                ratio = figures["connected"] / figures["calls"]
                self.assertTrue(0.05 < ratio < 0.25, ratio)
