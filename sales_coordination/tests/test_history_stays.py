from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from ..tools.queue_check import queue_problems
from .test_followup_claim import FollowupCommon

VISIT = datetime(2031, 3, 3, 9, 0)
AFTER = VISIT + timedelta(hours=3)
PAST = "already taken place"


@tagged("post_install", "-at_install")
class TestHistoryStays(FollowupCommon):
    """A past appointment keeps its place in the funnel and its calls; a
    definitive no is never called again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.final = cls.env.ref("sales_coordination.crm_lost_reason_definitive_no")
        cls.not_final = cls.env["crm.lost.reason"].create({"name": "Too expensive"})

    def _no_show(self):
        """A visit nobody was home for, its reset call and an attempt on it."""
        with freeze_time(VISIT - timedelta(days=1)):
            visit = self._book(user=self.coordinator, start=VISIT)
        with freeze_time(AFTER):
            visit.with_user(self.coordinator).action_mark_no_show()
        reset = self.Followup.search(
            [("event_id", "=", visit.id), ("kind", "=", "reset")]
        )
        self.assertEqual(len(reset), 1)
        with freeze_time(AFTER):
            attempt = (
                self.env["sales.call"]
                .with_user(self.coordinator)
                .create(
                    {
                        "lead_id": self.lead.id,
                        "followup_id": reset.id,
                        "result": "no_answer",
                    }
                )
            )
        return visit, reset, attempt

    # A past appointment

    def test_past_appointment_is_archived_not_deleted(self):
        visit, reset, attempt = self._no_show()
        for user in (self.coordinator, self.backup_coordinator, self.manager):
            with (
                self.subTest(user=user.login),
                freeze_time(AFTER),
                self.assertRefused(UserError, PAST),
            ):
                visit.with_user(user).unlink()
        # A visit that started without a debrief or a no-show is history too.
        with freeze_time(VISIT - timedelta(days=2)):
            started = self._book(user=self.coordinator, start=VISIT + timedelta(days=1))
        with (
            freeze_time(VISIT + timedelta(days=1, minutes=30)),
            self.assertRefused(UserError, PAST),
        ):
            started.with_user(self.coordinator).unlink()
        # The manager archives it: it stays, with its calls.
        with freeze_time(AFTER):
            visit.with_user(self.manager).action_archive()
        self.assertTrue(visit.exists())
        self.assertFalse(visit.active)
        self.assertEqual(reset.event_id, visit)
        self.assertEqual(attempt.followup_id, reset)

    def test_upcoming_appointment_may_still_be_deleted(self):
        with freeze_time(VISIT - timedelta(days=1)):
            visit = self._book(user=self.coordinator, start=VISIT)
            visit.with_user(self.coordinator).unlink()
        self.assertFalse(visit.exists())

    def test_past_appointment_stays_a_sales_appointment(self):
        visit = self._no_show()[0]
        for user in (self.advisor, self.coordinator, self.backup_coordinator):
            with (
                self.subTest(user=user.login),
                freeze_time(AFTER),
                self.assertRaises(UserError),
            ):
                visit.with_user(user).write({"is_sales_appointment": False})
            self.assertTrue(visit.is_sales_appointment)
        with (
            freeze_time(AFTER),
            self.assertRefused(UserError, "Only a coordination manager"),
        ):
            visit.with_user(self.coordinator).web_save(
                {"is_sales_appointment": False}, {}
            )

    def test_calls_outlive_their_appointment(self):
        """The database keeps the calls and attempts of a deleted appointment
        (set null), whoever deletes it around the rules."""
        visit, reset, attempt = self._no_show()
        self.env.cr.execute(
            SQL(
                """SELECT con.confdeltype FROM pg_constraint con
                     JOIN pg_attribute att ON att.attrelid = con.conrelid
                                          AND att.attnum = ANY(con.conkey)
                    WHERE con.conrelid = 'sales_followup'::regclass
                      AND con.contype = 'f' AND att.attname = 'event_id'"""
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], "n")  # ON DELETE SET NULL
        with freeze_time(AFTER):
            visit.sudo().unlink()  # as superuser: a script, an upgrade
        self.assertTrue(reset.exists())
        self.assertFalse(reset.event_id)
        self.assertEqual(attempt.exists().followup_id, reset)

    def test_deleted_upcoming_appointment_ends_its_open_calls(self):
        with freeze_time(VISIT - timedelta(days=1)):
            visit = self._book(user=self.coordinator, start=VISIT)
            confirmation = self.Followup._sales_queue(
                [
                    {
                        "lead_id": self.lead.id,
                        "kind": "confirmation",
                        "event_id": visit.id,
                        "window_start": VISIT - timedelta(hours=20),
                        "window_end": VISIT - timedelta(hours=16),
                    }
                ]
            )
            visit.with_user(self.coordinator).unlink()
        self.assertEqual(confirmation.state, "cancelled")
        self.assertFalse(confirmation.event_id)
        self.assertFalse(queue_problems(self.env.cr))

    # A definitive no

    def _callback_values(self, kind):
        return {
            "lead_id": self.lead.id,
            "kind": kind,
            "window_start": VISIT,
            "window_end": VISIT + timedelta(hours=4),
        }

    def test_definitive_no_is_never_called_again(self):
        self.lead.action_set_lost(lost_reason_id=self.final.id)
        Followup = self.Followup.with_user(self.coordinator)
        with self.assertRefused(ValidationError, "final reason"):
            Followup.create(self._callback_values("rehash"))
        for kind in ("happy_call", "callback", "quote"):
            with self.subTest(kind=kind), self.assertRefused(ValidationError, "lost"):
                Followup.create(self._callback_values(kind))
        self.assertFalse(self.Followup.search([("lead_id", "=", self.lead.id)]))

    def test_lost_for_another_reason_may_be_rehashed(self):
        self.lead.action_set_lost(lost_reason_id=self.not_final.id)
        Followup = self.Followup.with_user(self.coordinator)
        rehash = Followup.create(self._callback_values("rehash"))
        self.assertEqual(rehash.state, "queued")
        with self.assertRefused(ValidationError, "lost"):
            Followup.create(self._callback_values("happy_call"))
        # The customer's no turns out to be for good: the rehash goes.
        self.lead.with_user(self.coordinator).lost_reason_id = self.final
        self.assertEqual(rehash.state, "cancelled")
