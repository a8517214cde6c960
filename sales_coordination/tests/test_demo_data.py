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
