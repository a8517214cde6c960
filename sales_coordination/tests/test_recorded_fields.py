from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.sales_call import CORRECTION_MINUTES
from .test_followup_claim import NOW, FollowupCommon

# Keys a client might hope would act as a permission.
CONTEXTS = ({}, {"sales_workflow": True, "su": True, "active_test": False})
VISIT = NOW - timedelta(hours=1)


@tagged("post_install", "-at_install")
class TestRecordedFields(FollowupCommon):
    """What a record says happened is not rewritten by a plain write, whatever
    the role or the context: the links of a confirmed debrief, what a queued
    call is about, an appointment's company, what a logged call recorded."""

    def _assert_refused(self, records, users, values):
        for user in users:
            for context in CONTEXTS:
                mine = records.with_user(user).with_context(**context)
                for name, value in values.items():
                    before = records.read([name])
                    for path in ("write", "web_save"):
                        with (
                            self.subTest(user=user.login, field=name, path=path),
                            self.assertRaises(UserError),
                        ):
                            if path == "write":
                                mine.write({name: value})
                            else:
                                mine.web_save({name: value}, {})
                    records.invalidate_recordset()
                    self.assertEqual(records.read([name]), before)

    def test_followup_stays_about_what_it_was_queued_for(self):
        with freeze_time(NOW - timedelta(days=2)):
            visit = self._book(user=self.coordinator, start=NOW + timedelta(days=1))
        confirmation = self.Followup.search(
            [("event_id", "=", visit.id), ("kind", "=", "confirmation")]
        ) or self._followup(kind="callback")
        other_visit = self._book(
            user=self.coordinator, start=NOW + timedelta(days=2), lead=self.lead
        )
        self._assert_refused(
            confirmation,
            (self.coordinator, self.backup_coordinator, self.manager),
            {
                "company_id": False,
                "coordinator_id": self.other_coordinator.id,
                "advisor_id": self.advisor_2.id,
                "visit_start": NOW + timedelta(days=9),
                "event_id": other_visit.id,
                "lead_id": self.lead_unassigned.id,
            },
        )
        # Nobody can make a company's call every company's by queueing it so.
        with self.assertRaises(UserError):
            self.Followup.with_user(self.coordinator).create(
                {
                    "lead_id": self.lead.id,
                    "kind": "callback",
                    "company_id": False,
                    "advisor_id": self.advisor_2.id,
                    "window_start": NOW,
                    "window_end": NOW + timedelta(hours=2),
                }
            )

    def test_confirmed_debrief_keeps_its_links(self):
        with freeze_time(VISIT - timedelta(days=2)):
            visit = self._book(user=self.coordinator, start=VISIT)
        with freeze_time(NOW):
            debrief = (
                self.env["sales.debrief"]
                .with_user(self.coordinator)
                .create(
                    {
                        "event_id": visit.id,
                        "product_interest": "Heat pump",
                        "outcome": "won",
                        "probability": 100,
                    }
                )
            )
            debrief.action_confirm()
        self._assert_refused(
            debrief,
            (self.coordinator, self.manager),
            {
                "company_id": self.company_2.id,
                "lead_id": self.lead_2.id,
                "advisor_id": self.advisor_2.id,
                "event_start": NOW,
            },
        )
        with freeze_time(NOW - timedelta(days=8)):
            earlier = self._book(user=self.coordinator, start=VISIT - timedelta(days=7))
        with freeze_time(NOW), self.assertRefused(UserError, "stays"):
            debrief.with_user(self.manager).event_id = earlier
        self.assertEqual(debrief.event_id, visit)
        # Reopened by a manager, it may be moved to the visit it was about.
        with freeze_time(NOW):
            debrief.with_user(self.manager).action_reopen()
            debrief.with_user(self.coordinator).event_id = earlier
        self.assertEqual(debrief.event_id, earlier)

    def test_appointment_keeps_its_company(self):
        visit = self._book(user=self.coordinator)
        self._assert_refused(
            visit,
            (self.advisor, self.coordinator, self.manager),
            {"sales_company_id": self.company_2.id},
        )
        self.assertEqual(visit.sales_company_id, self.lead.company_id)

    def test_logged_call_is_corrected_by_its_author_at_once_or_a_manager(self):
        call = (
            self.env["sales.call"]
            .with_user(self.coordinator)
            .create({"lead_id": self.lead.id, "result": "no_answer", "duration": 20})
        )
        logged = call.create_date
        recorded = {
            "result": "connected",
            "duration": 300,
            "direction": "in",
            "lead_id": self.lead_unassigned.id,
        }
        # The author, within the correction time: a slip of the finger.
        with freeze_time(logged + timedelta(minutes=CORRECTION_MINUTES - 1)):
            call.with_user(self.coordinator).write({"result": "voicemail"})
            # A colleague, never.
            self._assert_refused(
                call, (self.backup_coordinator, self.other_coordinator), recorded
            )
        self.assertEqual(call.result, "voicemail")
        # Later, not even the author, whatever the context.
        with freeze_time(logged + timedelta(minutes=CORRECTION_MINUTES + 1)):
            self._assert_refused(call, (self.coordinator,), recorded)
            with self.assertRaises(UserError):
                call.with_user(self.coordinator).company_id = self.company_2
            # A manager corrects it.
            call.with_user(self.manager).write({"result": "connected", "duration": 90})
            # What the call was about is still the author's to note.
            call.with_user(self.coordinator).note = "Call back after six"
        self.assertEqual((call.result, call.duration), ("connected", 90))
        self.assertEqual(call.company_id, self.lead.company_id)
