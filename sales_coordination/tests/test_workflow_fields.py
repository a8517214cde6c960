from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_followup_claim import NOW, FollowupCommon

VISIT = datetime(2025, 3, 3, 9, 0)
# Keys a client might hope would act as a permission.
CONTEXTS = ({}, {"sales_mark_no_show": True, "sales_workflow": True, "su": True})
REFUSED = "Only the record's own buttons and actions"


@tagged("post_install", "-at_install")
class TestWorkflowFields(FollowupCommon):
    """A workflow field moves only inside the method that owns it: a plain write,
    create or web_save is refused for every role, whatever the context."""

    def _assert_refused(self, records, users, values):
        """Each of ``values`` written by each of ``users`` in each context, by
        write and by web_save, is refused (a UserError, or the AccessError that
        derives from it) and leaves the record as it was."""
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

    def _assert_create_refused(self, model, users, base, values):
        for user in users:
            Model = self.env[model].with_user(user)
            for name, value in values.items():
                with self.subTest(user=user.login, field=name, path="create"):
                    with self.assertRefused(UserError, REFUSED):
                        Model.create({**base, name: value})
                    with self.assertRefused(UserError, REFUSED):
                        Model.with_context(**{f"default_{name}": value}).create(base)

    def test_followup_queue_fields(self):
        followup = self._followup(kind="callback")
        forged = {
            "state": "done",
            "claimed_by_id": self.coordinator.id,
            "claim_expires_at": NOW + timedelta(days=30),
            "priority_score": 1e9,
            "priority_tier": 9,
            "priority_base": 1e9,
            "priority_rate": 50.0,
            "priority_key": 1e12,
            "is_inbound": True,
            "attempt_count": 7,
            "escalated": True,
            "queue_coordinator_id": self.other_coordinator.id,
        }
        self._assert_refused(followup, (self.coordinator, self.manager), forged)
        # An advisor may not write the queue at all.
        self._assert_refused(followup, (self.advisor,), {"state": "done"})
        base = {
            "lead_id": self.lead.id,
            "kind": "callback",
            "window_start": NOW,
            "window_end": NOW + timedelta(hours=2),
        }
        self._assert_create_refused(
            "sales.followup", (self.coordinator, self.manager), base, forged
        )
        # The queue's own methods still move them.
        self.assertEqual(self._claim(self.coordinator), followup)
        self.assertEqual(followup.claimed_by_id, self.coordinator)
        with freeze_time(NOW):
            followup.with_user(self.coordinator).action_log_call("no_answer")
        self.assertEqual((followup.state, followup.attempt_count), ("queued", 1))
        # What a coordinator asks for by hand is still theirs to queue.
        with freeze_time(NOW):
            mine = self.Followup.with_user(self.coordinator).create(
                {**base, "state": "queued", "note": "Call after the school run"}
            )
        self.assertEqual(mine.state, "queued")

    def test_appointment_fields(self):
        with freeze_time(VISIT - timedelta(days=1)):
            visit = self._book(user=self.coordinator, start=VISIT)
        forged = {
            "is_no_show": True,
            "debrief_state": "done",
            "booked_by_id": self.manager.id,
            "debrief_overdue_alerted": True,
        }
        self._assert_refused(
            visit,
            (self.advisor, self.coordinator, self.manager),
            forged,
        )
        self._assert_create_refused(
            "calendar.event",
            (self.coordinator, self.manager),
            self._appointment_values(start=VISIT + timedelta(days=1)),
            forged,
        )
        self.assertEqual(visit.booked_by_id, self.coordinator)
        visit.with_user(self.coordinator).action_mark_no_show()
        self.assertTrue(visit.is_no_show)

    def test_appointment_stays_in_view_of_the_coordinator(self):
        """An advisor cannot hide a sales appointment from their coordinator:
        no private sales appointment, and their own default privacy does not
        apply to one."""
        settings = self.env["res.users.settings"]._find_or_create_for_user(self.advisor)
        settings.calendar_default_privacy = "private"
        visit = self._book(user=self.coordinator)
        self.assertEqual(visit.privacy, "public")
        mine = visit.with_user(self.coordinator)
        self.assertEqual(mine.display_name, visit.name)
        mine.write(
            {
                "start": self.start + timedelta(hours=1),
                "stop": self.start + timedelta(hours=2, minutes=30),
            }
        )
        for user in (self.advisor, self.coordinator, self.manager):
            with (
                self.subTest(user=user.login),
                self.assertRefused(UserError, "not private"),
            ):
                visit.with_user(user).privacy = "private"
        with self.assertRefused(UserError, "not private"):
            self.env["calendar.event"].with_user(self.coordinator).create(
                {
                    **self._appointment_values(start=self.start + timedelta(days=1)),
                    "privacy": "private",
                }
            )
        # Attendees and organiser stay the coordinator's to change.
        with self.assertRaises(AccessError):
            visit.with_user(self.advisor).partner_ids = [(5, 0)]
        visit.with_user(self.coordinator).privacy = "confidential"
        self.assertEqual(visit.privacy, "confidential")

    def test_debrief_state(self):
        with freeze_time(VISIT - timedelta(days=1)):
            visit = self._book(user=self.coordinator, start=VISIT)
        values = {
            "event_id": visit.id,
            "product_interest": "Heat pump",
            "amount_untaxed": 5000,
            "probability": 30,
            "outcome": "won",
        }
        debrief = self.env["sales.debrief"].with_user(self.coordinator).create(values)
        self._assert_refused(debrief, (self.advisor,), {"state": "done"})
        self._assert_refused(
            debrief, (self.coordinator, self.manager), {"state": "done"}
        )
        self.assertEqual(debrief.state, "draft")
        self.assertEqual(visit.debrief_state, "none")
        debrief.with_user(self.coordinator).action_confirm()
        self.assertEqual((debrief.state, visit.debrief_state), ("done", "done"))
        self._assert_refused(debrief, (self.manager,), {"state": "draft"})
        with self.assertRaises(AccessError):
            debrief.with_user(self.coordinator).action_reopen()
        debrief.with_user(self.manager).action_reopen()
        self.assertEqual((debrief.state, visit.debrief_state), ("draft", "due"))
        self.assertTrue(
            any("Reopened by Mona Manager" in m.body for m in debrief.message_ids)
        )
        with self.assertRefused(UserError, "nothing to reopen"):
            debrief.with_user(self.manager).action_reopen()

    def test_lead_figures(self):
        forged = {
            "arrival_date": datetime(2020, 1, 1),
            "first_contact_date": datetime(2020, 1, 1),
            "last_contact_date": datetime(2030, 1, 1),
            "response_hours": 0.01,
            "not_contacted_alerted": True,
            "sales_wrong_number": True,
            "sales_appointment_count": 5,
            "sales_is_set": True,
            "sales_issued_date": datetime(2020, 1, 1),
            "sales_is_demoed": True,
            "sales_reset_count": 2,
            "sales_rehash_count": 2,
            "sales_is_won": True,
        }
        self._assert_refused(
            self.lead, (self.advisor, self.coordinator, self.manager), forged
        )
        self._assert_create_refused(
            "crm.lead",
            (self.coordinator, self.manager),
            {"name": "Forged lead", "type": "opportunity"},
            {"arrival_date": datetime(2020, 1, 1), "first_contact_date": NOW},
        )
        # A call is what sets the contact dates.
        with freeze_time(NOW):
            self.env["sales.call"].with_user(self.coordinator).create(
                {"lead_id": self.lead.id, "result": "connected"}
            )
        self.assertEqual(self.lead.first_contact_date, NOW)

    def test_call_author_and_time(self):
        with freeze_time(NOW):
            call = (
                self.env["sales.call"]
                .with_user(self.coordinator)
                .create({"lead_id": self.lead.id, "result": "no_answer"})
            )
        for user in (self.coordinator, self.manager):
            with (
                self.subTest(user=user.login),
                self.assertRefused(UserError, "stays with the coordinator"),
            ):
                call.with_user(user).user_id = self.backup_coordinator
        with self.assertRefused(UserError, "stays with the coordinator"):
            call.with_user(self.manager).call_date = NOW - timedelta(days=1)
        with self.assertRefused(UserError, "stays with the coordinator"):
            call.with_user(self.backup_coordinator).call_date = NOW
        # Their own call's time the coordinator may correct.
        call.with_user(self.coordinator).call_date = NOW - timedelta(minutes=5)
        self.assertEqual(call.call_date, NOW - timedelta(minutes=5))
        Call = self.env["sales.call"].with_user(self.coordinator)
        for context in CONTEXTS:
            with self.assertRefused(UserError, "stays with the coordinator"):
                Call.with_context(**context).create(
                    {"lead_id": self.lead.id, "user_id": self.backup_coordinator.id}
                )
        with self.assertRefused(UserError, "stays with the coordinator"):
            Call.with_context(default_user_id=self.backup_coordinator.id).create(
                {"lead_id": self.lead.id}
            )

    def test_a_retried_request_creates_as_the_first_try(self):
        """Odoo runs a request again with the same arguments after a
        serialization failure: a create keeps the caller's values as they were,
        or the retry would carry the workflow fields the first try set."""
        event_vals = self._appointment_values(
            lead=self.lead, start=datetime(2031, 3, 10, 9, 0)
        )
        lead_vals = {"name": "Retried lead", "type": "opportunity"}
        source_vals = {"name": "Retried integration"}
        for model, user, vals in (
            ("calendar.event", self.coordinator, event_vals),
            ("crm.lead", self.coordinator, lead_vals),
            ("sales.inbound.source", self.manager, source_vals),
        ):
            with self.subTest(model=model):
                sent = dict(vals)
                with self.env.cr.savepoint(flush=False) as savepoint:
                    self.env[model].with_user(user).create([vals])
                    savepoint.rollback()
                self.assertEqual(vals, sent)
                self.env[model].with_user(user).create([vals])
