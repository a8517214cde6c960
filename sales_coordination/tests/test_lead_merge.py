from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from ..models.sales_followup import OPEN_STATES
from .test_followup_claim import FollowupCommon

# A Monday in the past, inside the standard working hours (UTC here).
VISIT = datetime(2025, 3, 3, 9, 0)
NOW = datetime(2025, 3, 10, 10, 0)


@tagged("post_install", "-at_install")
class TestLeadMerge(FollowupCommon):
    """crm's merge of two leads of one customer keeps everything of ours on the
    lead it keeps: calls, follow-ups, appointments, debriefs, inbound events."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"].with_context(default_source_id=cls.source.id)
        # The same customer called twice: two leads of Ada's.
        cls.duplicate = Lead.create(
            {
                "name": "Heat pump again (second call)",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": cls.advisor.id,
                "perceived_need": "Noisy boiler",
                "urgency": "now",
            }
        )
        cls.lead.write({"perceived_need": "Wants a heat pump", "urgency": "month"})
        cls.env.cr.execute(
            "UPDATE crm_lead SET arrival_date = %s WHERE id = %s",
            (VISIT - timedelta(days=3), cls.duplicate.id),
        )
        cls.duplicate.invalidate_recordset(["arrival_date"])

    def _log_call(self, lead, when, user=None, result="connected"):
        with freeze_time(when):
            return (
                self.env["sales.call"]
                .with_user(user or self.coordinator)
                .create({"lead_id": lead.id, "result": result, "direction": "out"})
            )

    def _visit_and_cancelled_visit(self):
        """Two visits of the duplicate booked by Cody, the second cancelled."""
        with freeze_time(VISIT - timedelta(days=1)):
            visit = self._book(user=self.coordinator, lead=self.duplicate, start=VISIT)
            cancelled = self._book(
                user=self.coordinator,
                lead=self.duplicate,
                start=VISIT + timedelta(days=1),
            )
        cancelled.with_user(self.coordinator).action_archive()
        return visit, cancelled

    def _board_calls(self):
        self.env.flush_all()
        groups = self.env["sales.report.coordinator"]._read_group(
            [("user_id", "in", (self.coordinator | self.backup_coordinator).ids)],
            [],
            ["call_count:sum"],
        )
        return groups[0][0]

    def _merge(self, leads, user=None):
        with freeze_time(NOW):
            wizard = Form(
                self.env["crm.merge.opportunity"]
                .with_user(user or self.coordinator)
                .with_context(active_model="crm.lead", active_ids=leads.ids)
            ).save()
            action = wizard.action_merge()
        kept = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(len(kept.exists()), 1)
        self.assertFalse((leads - kept).exists(), "the other lead is merged away")
        return kept

    def _integration(self):
        # Saving it creates its technical user.
        return self.env["sales.inbound.source"].create({"name": "Merge test tracking"})

    def test_merge_keeps_every_record_of_both_leads(self):
        calls = (
            self._log_call(self.lead, VISIT - timedelta(days=1))
            | self._log_call(self.duplicate, VISIT - timedelta(days=2))
            | self._log_call(
                self.duplicate, VISIT + timedelta(days=1), self.backup_coordinator
            )
        )
        board_before = self._board_calls()
        visit, cancelled = self._visit_and_cancelled_visit()
        with freeze_time(VISIT + timedelta(hours=2)):
            debrief = (
                self.env["sales.debrief"]
                .with_user(self.coordinator)
                .create(
                    {
                        "event_id": visit.id,
                        "product_interest": "Heat pump 8 kW",
                        "amount_untaxed": 9000,
                        "probability": 50,
                        "outcome": "advance",
                        "followup_window_start": NOW - timedelta(hours=1),
                        "followup_window_end": NOW + timedelta(hours=3),
                    }
                )
            )
            debrief.action_confirm()
        tail_quote = debrief.followup_id
        tail_quote.sudo().write({"attempt_count": 2})  # as two unanswered calls
        head_quote = self._followup(
            lead=self.lead, start=NOW + timedelta(days=1), attempt_count=1
        )
        claimed = self._followup(lead=self.duplicate, kind="callback")
        with freeze_time(NOW):
            claimed.with_user(self.coordinator).action_open_call()
        integration = self._integration()
        inbound = self.env["sales.inbound.event"].create(
            {
                "source_id": integration.id,
                "event_id": "merge-1",
                "kind": "call",
                "state": "done",
                "lead_id": self.duplicate.id,
                "call_id": calls[1].id,
            }
        )

        kept = self._merge(self.lead | self.duplicate)

        self.assertEqual(kept.call_ids, calls)
        self.assertEqual(self._board_calls(), board_before)
        self.assertEqual(inbound.lead_id, kept)
        self.assertEqual(debrief.lead_id, kept)
        self.assertEqual(
            kept.with_context(active_test=False).calendar_event_ids.filtered(
                "is_sales_appointment"
            ),
            visit | cancelled,
        )
        # One quote call: the earliest window, the attempts added up.
        quotes = kept.followup_ids.filtered(
            lambda f: f.kind == "quote" and f.state in OPEN_STATES
        )
        self.assertEqual(len(quotes), 1)
        self.assertEqual(quotes.window_start, tail_quote.window_start)
        self.assertEqual(quotes.attempt_count, 3)
        self.assertEqual(
            quotes.priority_score,
            max((head_quote | tail_quote).mapped("priority_score")),
        )
        self.assertEqual(
            (head_quote | tail_quote).filtered(lambda f: f.state == "cancelled"),
            (head_quote | tail_quote) - quotes,
        )
        # The call being made goes on, on the kept lead.
        self.assertEqual(claimed.lead_id, kept)
        self.assertEqual(claimed.state, "claimed")
        self.assertEqual(claimed.claimed_by_id, self.coordinator)
        moved = tail_quote | claimed
        self.assertEqual(moved.exists(), moved, "no call of the merged lead is lost")
        self.assertEqual(moved.lead_id, kept)
        # Stored figures from what the lead now holds.
        self.assertEqual(kept.arrival_date, VISIT - timedelta(days=3))
        self.assertEqual(kept.first_contact_date, VISIT - timedelta(days=2))
        self.assertEqual(kept.last_contact_date, VISIT + timedelta(days=1))
        self.assertEqual(kept.sales_appointment_count, 1)
        self.assertTrue(kept.sales_is_set)
        self.assertTrue(kept.sales_is_demoed)
        self.assertEqual(kept.sales_issued_date, VISIT)
        self.assertEqual(kept.urgency, "now", "the most urgent of the two")
        self.assertIn("Noisy boiler", kept.perceived_need)
        self.assertIn("Wants a heat pump", kept.perceived_need)

    def test_merge_by_a_coordinator_who_cannot_book_the_visits(self):
        """With the shared pool, Otto merges Ada's duplicate into his advisor's
        lead: Ada's appointments (which only Ada's coordinators may move) and the
        calls Cody logged still follow it."""
        self.company.sales_shared_queue = True
        self.lead.write({"user_id": self.advisor_2.id, "probability": 90})
        visit, cancelled = self._visit_and_cancelled_visit()
        call = self._log_call(self.duplicate, VISIT - timedelta(days=1))
        kept = self._merge(self.lead | self.duplicate, user=self.other_coordinator)
        self.assertEqual(kept, self.lead)
        self.assertEqual((visit | cancelled).opportunity_id, kept)
        self.assertEqual(call.lead_id, kept)
        self.assertEqual(call.user_id, self.coordinator)
        self.assertTrue(kept.sales_is_set)

    def test_only_a_coordinator_merges_what_holds_our_history(self):
        call = self._log_call(self.duplicate, VISIT - timedelta(days=1))
        leads = self.lead | self.duplicate
        # Ada, the advisor of both (a salesperson, who reads and writes them).
        with self.assertRaisesRegex(AccessError, "Only a sales coordinator"):
            self._merge(leads, user=self.advisor)
        # A plain RPC call to crm's method is refused alike.
        with self.assertRaisesRegex(AccessError, "Only a sales coordinator"):
            leads.with_user(self.advisor).merge_opportunity()
        self.assertTrue(self.duplicate.exists())
        self.assertEqual(call.lead_id, self.duplicate)
        # Leads without any of it merge as crm lets a salesman merge them.
        Lead = self.env["crm.lead"].with_user(self.salesman)
        plain = Lead.create({"name": "Plain one", "source_id": self.source.id}) | (
            Lead.create({"name": "Plain two", "source_id": self.source.id})
        )
        self.assertEqual(len(plain.merge_opportunity().exists()), 1)
        # A coordinator merges the leads with history.
        kept = self._merge(leads)
        self.assertEqual(call.lead_id, kept)

    def test_intake_merges_the_duplicates_it_found(self):
        # The duplicate looks further on (crm's merge would keep it): the
        # coordinator keeps the lead they chose all the same.
        self.duplicate.write({"probability": 95})
        self.lead.write({"probability": 10})
        self._log_call(self.duplicate, VISIT)
        self._log_call(self.lead, VISIT)
        self.customer.email = "carla@example.com"
        (self.lead | self.duplicate).write({"email_from": "carla@example.com"})
        with freeze_time(NOW):
            form = Form(self.env["sales.lead.intake"].with_user(self.coordinator))
            form.contact_name = "Carla Customer"
            form.email = "carla@example.com"
            self.assertEqual(form.match_lead_ids[:], self.lead | self.duplicate)
            form.lead_id = self.lead
            form.merge_duplicates = True
            action = form.save().action_confirm()
        kept = self.env["crm.lead"].browse(action["res_id"])
        self.assertFalse(((self.lead | self.duplicate) - kept).exists())
        self.assertEqual(kept, self.lead, "the lead the coordinator chose")
        # Both earlier calls and the one just taken.
        self.assertEqual(len(kept.call_ids), 3)
