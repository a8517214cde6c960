from datetime import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SalesCoordinationCommon

VISIT = datetime(2025, 3, 3, 9, 0)


@tagged("post_install", "-at_install")
class TestHistoryDeletion(SalesCoordinationCommon):
    """No delete silently destroys what a manager counts on: logged calls,
    confirmed debriefs and lines of spend stay, and say what to do instead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visit = cls._book(user=cls.coordinator, start=VISIT)
        cls.debrief = cls.env["sales.debrief"].create(
            {
                "event_id": cls.visit.id,
                "product_interest": "Heat pump",
                "amount_untaxed": 8000,
                "probability": 40,
                "outcome": "repeat",
                "next_event_id": False,
                "followup_window_start": datetime(2031, 3, 3, 8),
                "followup_window_end": datetime(2031, 3, 3, 12),
            }
        )
        cls.debrief.action_confirm()
        # crm lets Sales Administrators delete leads: one who is no coordination
        # manager, and a coordination manager who is also one.
        cls.sales_admin = cls._new_user(
            "sc_sales_admin", "sales_team.group_sale_manager", "Sam Sales Admin"
        )
        cls.manager_admin = cls._new_user(
            "sc_manager_admin",
            "sales_coordination.group_manager,sales_team.group_sale_manager",
            "Max Manager",
        )
        cls.call = (
            cls.env["sales.call"]
            .with_user(cls.other_coordinator)
            .create({"lead_id": cls.lead_2.id, "result": "no_answer"})
        )

    def test_debriefed_appointment_is_cancelled_not_deleted(self):
        for user in (self.coordinator, self.manager):
            with (
                self.subTest(user=user.login),
                self.assertRefused(UserError, "has a confirmed debrief"),
            ):
                self.visit.with_user(user).unlink()
        self.assertTrue(self.visit.exists())
        self.assertEqual(self.debrief.exists().state, "done")
        self.visit.with_user(self.coordinator).action_archive()
        self.assertFalse(self.visit.active)
        self.assertTrue(self.debrief.exists())

    def test_draft_debrief_goes_with_its_appointment(self):
        visit = self._book(user=self.coordinator, start=datetime(2025, 3, 4, 9))
        draft = self.env["sales.debrief"].create(
            {"event_id": visit.id, "product_interest": "Boiler", "outcome": "lost"}
        )
        # A visit that took place is archived, not deleted (test_history_stays).
        with self.assertRefused(UserError, "already taken place"):
            visit.with_user(self.coordinator).unlink()
        self.assertTrue(draft.exists())
        # Deleted around the rules (a script), its draft goes with it.
        visit.sudo().unlink()
        self.assertFalse(visit.exists())
        self.assertFalse(draft.exists())

    def test_lead_with_history_is_archived_by_non_managers(self):
        # Ada's lead has a debrief, Abe's a call Otto logged; the unassigned one
        # has nothing.
        leads = self.lead | self.lead_2
        other = self.lead_unassigned
        with self.assertRaises(AccessError):  # crm's own rule stands
            other.with_user(self.coordinator).unlink()
        (leads | other).with_user(self.sales_admin).unlink()
        self.assertEqual(leads.exists(), leads)
        self.assertFalse(any(leads.mapped("active")))
        self.assertFalse(other.exists(), "a lead without history is deleted")
        self.assertTrue(self.call.exists())
        self.assertTrue(self.debrief.exists())
        self.assertTrue(
            any("Archived rather than" in m.body for m in self.lead.message_ids)
        )

    def test_manager_deletes_the_history_first(self):
        self.lead_2.with_user(self.manager_admin).unlink()
        self.assertFalse(self.lead_2.active, "archived, its call kept")
        self.assertTrue(self.call.exists())
        # The superuser's sweeping delete (a script, Odoo's own tests) too.
        self.lead.unlink()
        self.assertFalse(self.lead.active)
        self.assertTrue(self.debrief.exists())
        # Deleting the history first is the deliberate way.
        self.call.with_user(self.manager_admin).unlink()
        self.lead_2.with_user(self.manager_admin).unlink()
        self.assertFalse(self.lead_2.exists())

    def test_a_lead_deleted_around_the_addon_keeps_its_calls(self):
        """Code that deletes leads without crm.lead.unlink (SQL, or Odoo's own
        tests before this addon's models are loaded): the calls stay, without
        their lead, still counted where they were made."""
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM sales_followup WHERE lead_id = %s", [self.lead_2.id]
        )
        self.env.cr.execute("DELETE FROM crm_lead WHERE id = %s", [self.lead_2.id])
        self.call.invalidate_recordset()
        self.assertTrue(self.call.exists())
        self.assertFalse(self.call.lead_id)
        with self.assertRaises(ValidationError):
            self.env["sales.call"].create({"result": "no_answer"})

    def test_cascades_from_users_keep_the_calls(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as caught:
            self.other_coordinator.unlink()
        self.assertIn("sales_call", str(caught.exception))
        self.assertTrue(self.call.exists())

    def test_spend_outlives_no_utm_record(self):
        medium = self.env["utm.medium"].create({"name": "Deletion test medium"})
        campaign = self.env["utm.campaign"].create({"name": "Deletion test campaign"})
        spend = self.env["sales.source.cost"].create(
            {
                "source_id": self.source.id,
                "medium_id": medium.id,
                "campaign_id": campaign.id,
                "amount": 500,
            }
        )
        admin = self.env.ref("base.user_admin")
        for record in (self.source, medium, campaign):
            with self.subTest(record=record._name):
                # Odoo lets only its administrators delete UTM records.
                with self.assertRaises(AccessError):
                    record.with_user(self.manager).unlink()
                with self.assertRefused(UserError, "has marketing spend recorded"):
                    record.with_user(admin).unlink()
        self.assertTrue(spend.exists())
        # A manager's deliberate delete of the spend still works, then the UTM
        # record goes as Odoo allows.
        spend.with_user(self.manager).unlink()
        medium.unlink()
        self.assertFalse(medium.exists())

    def test_integration_with_events_is_archived_not_deleted(self):
        integration = self.env["sales.inbound.source"].create({"name": "Old tracking"})
        event = self.env["sales.inbound.event"].create(
            {
                "source_id": integration.id,
                "event_id": "kept-1",
                "kind": "call",
                "state": "done",
                "lead_id": self.lead.id,
            }
        )
        with self.assertRefused(UserError, "archive it instead"):
            integration.with_user(self.manager).unlink()
        integration.with_user(self.manager).action_archive()
        self.assertTrue(event.exists())
        unused = self.env["sales.inbound.source"].create({"name": "Never used"})
        unused.with_user(self.manager).unlink()
        self.assertFalse(unused.exists())
