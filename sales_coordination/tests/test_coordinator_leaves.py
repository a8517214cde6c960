from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_followup_claim import FollowupCommon


@tagged("post_install", "-at_install")
class TestLeadCoordinator(FollowupCommon):
    """A lead's coordinator is a coordinator of its company, or nobody."""

    def test_not_anybody(self):
        lead = self.lead_unassigned.with_user(self.coordinator)
        for user in (self.salesman, self.manager_c2, self.coordinator_c2):
            with self.subTest(user=user.name):
                with self.assertRefused(ValidationError, "not a sales coordinator"):
                    lead.write({"coordinator_id": user.id})
        archived = self._new_user("sc_archived", "sales_coordination.group_coordinator")
        archived.action_archive()
        with self.assertRefused(ValidationError, "not a sales coordinator"):
            lead.write({"coordinator_id": archived.id})
        with self.assertRefused(ValidationError, "not a sales coordinator"):
            self.env["crm.lead"].with_user(self.coordinator).create(
                {
                    "name": "Given away",
                    "source_id": self.source.id,
                    "coordinator_id": self.coordinator_c2.id,
                }
            )
        lead.write({"coordinator_id": self.other_coordinator.id})
        self.assertEqual(lead.coordinator_id, self.other_coordinator)
        lead.write({"coordinator_id": False})
        self.assertFalse(lead.coordinator_id)
        # A manager coordinates too (their role implies it).
        lead.write({"coordinator_id": self.manager.id})
        self.assertEqual(lead.coordinator_id, self.manager)

    def test_lead_moved_to_another_company(self):
        lead = self.lead_unassigned
        lead.coordinator_id = self.other_coordinator
        lead.company_id = self.company_2
        self.assertFalse(lead.coordinator_id)


@tagged("post_install", "-at_install")
class TestCoordinatorLeaves(FollowupCommon):
    """A coordinator archived, out of the role or out of a company hands their
    queue on at once: to their advisors' backup coordinator, else to the
    company's calls of nobody, which the board shows until taken."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls._followup(lead=cls.lead, kind="callback")
        cls.call_2 = cls._followup(lead=cls.lead_2, kind="callback")

    def assertQueueOf(self, coordinator, followup):
        self.assertEqual(followup.lead_id.coordinator_id, coordinator)
        self.assertEqual(followup.queue_coordinator_id, coordinator)

    def test_archived_coordinator_hands_over_to_the_backup(self):
        self.assertQueueOf(self.coordinator, self.call)
        self.assertEqual(self._claim(self.coordinator), self.call)
        self.coordinator.action_archive()
        self.assertFalse(self.advisor.coordinator_id)
        self.assertEqual(self.advisor.backup_coordinator_id, self.backup_coordinator)
        self.assertQueueOf(self.backup_coordinator, self.call)
        # Their claim ends at once, not when its lease runs out.
        self.assertEqual(self.call.state, "queued")
        self.assertFalse(self.call.claimed_by_id)
        self.assertEqual(self._claim(self.backup_coordinator), self.call)
        # Untouched: another coordinator's queue.
        self.assertQueueOf(self.other_coordinator, self.call_2)

    def test_deleted_coordinator_hands_over_to_the_backup(self):
        self.assertEqual(self._claim(self.coordinator), self.call)
        source = self.env["sales.inbound.source"].create(
            {"name": "Call tracking", "coordinator_id": self.coordinator.id}
        )
        self.coordinator.unlink()
        self.assertEqual(self.advisor.backup_coordinator_id, self.backup_coordinator)
        self.assertFalse(self.advisor.coordinator_id)
        self.assertQueueOf(self.backup_coordinator, self.call)
        self.assertEqual(self.call.state, "queued")
        self.assertFalse(self.call.claimed_by_id)
        self.assertFalse(source.coordinator_id)
        self.assertEqual(self._claim(self.backup_coordinator), self.call)
        self.assertQueueOf(self.other_coordinator, self.call_2)

    def test_backup_archived_only_loses_the_backup(self):
        self.backup_coordinator.action_archive()
        self.assertEqual(self.advisor.coordinator_id, self.coordinator)
        self.assertFalse(self.advisor.backup_coordinator_id)
        self.assertQueueOf(self.coordinator, self.call)

    def test_role_removed_on_the_user_goes_to_nobody(self):
        # The advisor of lead_2 has no backup: their calls become nobody's.
        group = self.env.ref("sales_coordination.group_coordinator")
        self.other_coordinator.write({"groups_id": [Command.unlink(group.id)]})
        self.assertFalse(self.advisor_2.coordinator_id)
        self.assertQueueOf(self.env["res.users"], self.call_2)
        self.assertEqual(self._claim(self.coordinator), self.call)
        # Any coordinator of the company reaches it next.
        self.assertEqual(self._claim(self.backup_coordinator), self.call_2)

    def test_role_removed_from_the_user_form(self):
        # What the user form saves: its selection (or checkbox) of the role.
        group = self.env.ref("sales_coordination.group_coordinator")
        users = self.env["res.users"].with_user(self.env.ref("base.user_admin"))
        fname = next(
            name
            for name in users.fields_get()
            if name.startswith(("in_group_", "sel_groups_"))
            and str(group.id) in name.split("_")
        )
        users.browse(self.other_coordinator.id).web_save({fname: False}, {})
        self.assertNotIn(group, self.other_coordinator.groups_id)
        self.assertQueueOf(self.env["res.users"], self.call_2)

    def test_removed_from_the_groups_users(self):
        group = self.env.ref("sales_coordination.group_coordinator")
        group.write({"users": [Command.unlink(self.coordinator.id)]})
        self.assertQueueOf(self.backup_coordinator, self.call)

    def test_company_removed(self):
        self.coordinator.write({"company_ids": [Command.link(self.company_2.id)]})
        lead_c2 = self.env["crm.lead"].create(
            {
                "name": "Worked from the other company",
                "source_id": self.source.id,
                "company_id": self.company_2.id,
                "user_id": False,
                "coordinator_id": self.coordinator.id,
            }
        )
        self.coordinator.write({"company_ids": [Command.unlink(self.company_2.id)]})
        self.assertFalse(lead_c2.coordinator_id)
        # Their own company's queue stays theirs.
        self.assertQueueOf(self.coordinator, self.call)

    def test_integration_gives_no_new_lead_to_who_left(self):
        source = self.env["sales.inbound.source"].create(
            {"name": "Call tracking", "coordinator_id": self.coordinator.id}
        )
        self.coordinator.action_archive()
        self.assertFalse(source.coordinator_id)

    def test_board_shows_the_handed_over_calls_until_taken(self):
        # The board counts what is due by the database's clock.
        start = datetime.now().replace(microsecond=0) - timedelta(hours=2)
        due = self.Followup.create(
            {
                "lead_id": self.lead_2.id,
                "kind": "callback",
                "window_start": start,
                "window_end": start + timedelta(hours=4),
            }
        )
        Board = self.env["sales.coordinator.board"]

        def nobodys():
            self.env.invalidate_all()
            return Board.search(
                [
                    ("company_id", "=", self.company.id),
                    ("user_id", "=", self.coordinator.id),
                ]
            ).unowned_due

        self.assertEqual(nobodys(), 0)
        self.other_coordinator.action_archive()
        self.assertEqual(nobodys(), 1)
        self.assertEqual(self.Followup.with_user(self.coordinator).claim_next(), due)
        self.assertEqual(nobodys(), 0)
