from odoo.tests import tagged
from odoo.tools import SQL, convert_file

from .common import SalesCoordinationCommon
from .test_migration import load_migration


@tagged("post_install", "-at_install")
class TestCallVisibility(SalesCoordinationCommon):
    """Who sees a logged call, per role: the calls of the leads they see (an
    advisor's own and unassigned leads, a coordinator's advisors' and those
    nobody coordinates), their own calls, everything for a manager. The rules
    read the call's lead through a join: a call whose lead was deleted is
    nobody's unassigned lead's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Call = cls.env["sales.call"]
        cls.call_lead = Call.create({"lead_id": cls.lead.id, "result": "connected"})
        cls.call_lead_2 = Call.create({"lead_id": cls.lead_2.id, "result": "no_answer"})
        cls.call_unassigned = Call.create(
            {"lead_id": cls.lead_unassigned.id, "result": "voicemail"}
        )
        cls.call_orphan = Call.create(
            {"lead_id": cls.lead_unassigned.id, "result": "no_answer"}
        )
        cls.call_orphan_own = Call.create(
            {
                "lead_id": cls.lead_unassigned.id,
                "result": "connected",
                "user_id": cls.coordinator.id,
            }
        )
        # Their lead deleted around the ORM (crm.lead.unlink archives a lead
        # that holds calls; the key is "set null").
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                "UPDATE sales_call SET lead_id = NULL WHERE id IN %s",
                (cls.call_orphan | cls.call_orphan_own)._ids,
            )
        )
        cls.env.invalidate_all()
        cls.calls = (
            cls.call_lead
            | cls.call_lead_2
            | cls.call_unassigned
            | cls.call_orphan
            | cls.call_orphan_own
        )

    def _seen(self, user):
        return (
            self.env["sales.call"]
            .with_user(user)
            .search([("id", "in", self.calls.ids)])
        )

    def test_calls_per_role(self):
        expected = {
            self.advisor: self.call_lead | self.call_unassigned,
            self.advisor_2: self.call_lead_2 | self.call_unassigned,
            self.coordinator: self.call_lead
            | self.call_unassigned
            | self.call_orphan_own,
            self.other_coordinator: self.call_lead_2 | self.call_unassigned,
            self.manager: self.calls,
            self.coordinator_c2: self.env["sales.call"],
        }
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self._seen(user), visible)

    def test_the_rules_join_the_lead(self):
        # Listing one lead's calls reads that lead by its key, not every lead
        # (a subquery read a million of them, 1.5 s, on the bench database).
        query = (
            self.env["sales.call"]
            .with_user(self.coordinator)
            ._search([("lead_id", "=", self.lead.id)])
        )
        code = query.select().code
        self.assertIn('LEFT JOIN "crm_lead"', code)
        self.assertNotIn('IN (SELECT "crm_lead"."id"', code)

    def test_the_update_replaces_the_former_rules(self):
        # As 18.0.1.9.0 left them: without the condition on the lead.
        former = {
            "sales_call_rule_salesman": "['|', ('lead_id.user_id', '=', user.id), "
            "('lead_id.user_id', '=', False)]",
        }
        for name, domain in former.items():
            self.env.ref(f"sales_coordination.{name}").domain_force = domain
        self.assertIn(self.call_orphan, self._seen(self.advisor))
        load_migration("18.0.1.10.0", "pre-migrate").migrate(self.env.cr, "18.0.1.9.0")
        self.env.invalidate_all()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM ir_model_data WHERE module = %s AND name IN %s",
                "sales_coordination",
                ("sales_call_rule_salesman", "sales_call_rule_coordinator"),
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        # What the update does next: the data file creates them anew.
        convert_file(
            self.env,
            "sales_coordination",
            "security/sales_call_security.xml",
            {},
            mode="update",
        )
        self.env.registry.clear_cache()
        self.assertNotIn(self.call_orphan, self._seen(self.advisor))
        self.assertEqual(
            self._seen(self.coordinator),
            self.call_lead | self.call_unassigned | self.call_orphan_own,
        )
