from datetime import date, datetime, timedelta
from math import log10
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from ..tools import priority
from ..tools.priority import (
    VALUE_CAP,
    base_points,
    daily_points,
    ordering_key,
    priority_score,
    score_on,
    tier,
)
from .test_followup_claim import NOW, FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupKinds(FollowupCommon):
    """Every kind of call lands in the queue by itself, in its window."""

    def test_confirmation_the_day_before_each_appointment(self):
        with freeze_time(NOW):
            event = self._book(user=self.coordinator, start=datetime(2031, 3, 6, 9))
        confirmation = self.lead.followup_ids.filtered(
            lambda f: f.kind == "confirmation"
        )
        self.assertEqual(confirmation.event_id, event)
        # Wednesday, morning start to evening end (8:00-20:00, UTC here).
        self.assertEqual(
            (confirmation.window_start, confirmation.window_end),
            (datetime(2031, 3, 5, 8), datetime(2031, 3, 5, 20)),
        )
        with freeze_time(NOW):
            event.with_user(self.coordinator).start = datetime(2031, 3, 7, 9)
        self.assertEqual(confirmation.window_start, datetime(2031, 3, 6, 8))
        self.assertEqual(confirmation.state, "queued")
        with freeze_time(NOW):
            event.with_user(self.coordinator).action_archive()
        self.assertEqual(confirmation.state, "cancelled")

    def test_confirmation_booked_late_is_due_at_once(self):
        with freeze_time(NOW):
            self._book(user=self.coordinator, start=datetime(2031, 3, 4, 9))
        confirmation = self.lead.followup_ids.filtered(
            lambda f: f.kind == "confirmation"
        )
        self.assertEqual(confirmation.window_start, NOW)
        self.assertEqual(confirmation.window_end, datetime(2031, 3, 3, 20))
        with freeze_time(datetime(2031, 3, 3, 21)):
            self._book(
                user=self.coordinator,
                lead=self.lead_unassigned,
                start=datetime(2031, 3, 4, 14),
            )
        late = self.lead_unassigned.followup_ids
        self.assertEqual(
            (late.window_start, late.window_end),
            (datetime(2031, 3, 3, 21), datetime(2031, 3, 4, 13)),
        )

    def test_callback_asked_by_the_customer(self):
        action = self.lead.with_user(self.coordinator).action_schedule_call()
        with freeze_time(NOW):
            form = Form(
                self.Followup.with_user(self.coordinator).with_context(
                    **action["context"]
                )
            )
            form.window_start = datetime(2031, 3, 3, 17)
            form.window_end = datetime(2031, 3, 3, 20)
            form.note = "Call after work"
            followup = form.save()
        self.assertEqual(followup.kind, "callback")
        self.assertEqual(followup.lead_id, self.lead)

    def test_happy_call_after_a_win_and_nothing_after_a_no(self):
        quote = self._followup()
        with freeze_time(NOW):
            # The advisor presses Won on their own opportunity.
            self.lead.with_user(self.advisor).action_set_won()
        self.assertEqual(quote.state, "cancelled")
        happy = self.lead.followup_ids.filtered(lambda f: f.kind == "happy_call")
        self.assertEqual(happy.state, "queued")
        self.assertEqual(happy.window_start, datetime(2031, 3, 10, 8))
        self.assertEqual(happy.window_end, datetime(2031, 3, 10, 20))

        other = self._followup(lead=self.lead_2)
        with freeze_time(NOW):
            self.lead_2.action_set_lost(
                lost_reason_id=self.env.ref("crm.lost_reason_1").id
            )
        self.assertEqual(other.state, "cancelled")
        with self.assertRefused(ValidationError, "the customer said no"):
            self._followup(lead=self.lead_2, kind="callback")

    def test_happy_call_of_a_lead_without_coordinator_is_in_its_advisor_s_hours(self):
        """The day and the hours of a lead's calls are its coordinator's, else
        its advisor's (crm.lead._sales_tz), whoever presses Won."""
        self.lead.coordinator_id = False
        self.advisor.tz = "America/Chicago"
        with freeze_time(NOW):
            self.lead.action_set_won()  # pressed by the (UTC) administrator
        happy = self.lead.followup_ids.filtered(lambda f: f.kind == "happy_call")
        self.assertEqual(self.lead._sales_tz(), "America/Chicago")
        # 08:00-20:00 in Chicago, summer time since 2031-03-09.
        self.assertEqual(happy.window_start, datetime(2031, 3, 10, 13))
        self.assertEqual(happy.window_end, datetime(2031, 3, 11, 1))

    def test_window_end_before_start(self):
        with self.assertRefused(ValidationError, "must end after it starts"):
            self._followup(hours=-1)
        self.assertFalse(self.Followup.search([("lead_id", "=", self.lead.id)]))

    def test_advisor_reads_but_never_queues(self):
        followup = self._followup()
        self.assertEqual(followup.with_user(self.advisor).kind, "quote")
        with self.assertRefused(AccessError, "not allowed to create"):
            self._followup_as(self.advisor)
        self.assertFalse(self.Followup.with_user(self.advisor_2).search([]))

    def _followup_as(self, user):
        return self.Followup.with_user(user).create(
            {
                "lead_id": self.lead.id,
                "window_start": NOW,
                "window_end": NOW + timedelta(hours=2),
            }
        )


@tagged("post_install", "-at_install")
class TestFollowupPriority(FollowupCommon):
    """Value x probability weighed by urgency, decaying each day since the quote;
    the kind decides first."""

    def test_pure_score(self):
        self.assertEqual(base_points(10000, 50, "later"), 25 * (1 + log10(5001)))
        self.assertEqual(base_points(-10, 50, "now"), 4 * 25)
        self.assertEqual(base_points(10**12, 100, "now"), VALUE_CAP)
        big_quote = priority_score("quote", 10**9, 100, "now", 0, 5)
        small_callback = priority_score("callback", 0, 0, None, 0, 5)
        confirmation = priority_score("confirmation", 0, 0, "later", 0, 5)
        self.assertLess(big_quote, confirmation)
        self.assertLess(confirmation, small_callback)
        self.assertGreater(
            priority_score("quote", 5000, 50, "now", 0, 5),
            priority_score("quote", 5000, 50, "later", 0, 5),
        )
        # Each day at 5 % costs log10(1 / 0.95) of a tenfold: 0.557 points.
        self.assertAlmostEqual(
            priority_score("quote", 5000, 50, "week", 0, 5)
            - priority_score("quote", 5000, 50, "week", 3, 5),
            3 * 25 * -log10(0.95),
            places=3,
        )
        # Never below the tier, however old.
        self.assertEqual(priority_score("confirmation", 10, 10, "now", 10**6, 5), 1000)

    def test_order_never_changes_with_the_days(self):
        """Sorting a company's calls by their key is sorting them by their
        score on any day: the queue needs no rewriting as days go by."""
        rate = daily_points(5)
        calls = [
            (tier(kind), ordering_key(base_points(value, 60, urgency), day, rate))
            for kind, value, urgency, day in (
                ("quote", 9000, "now", 20000),
                ("quote", 90000, "later", 19990),
                ("quote", 400, "week", 20003),
                ("quote", 10**9, "month", 18000),
                ("callback", 50, None, 20001),
                ("confirmation", 0, None, 20002),
            )
        ]
        for today in (20003, 20010, 20400, 25000):
            scores = [score_on(t, key, rate, today) for t, key in calls]
            for first, score in zip(calls, scores, strict=True):
                for second, other in zip(calls, scores, strict=True):
                    if first > second:
                        self.assertGreaterEqual(score, other, (first, second, today))
        # The tiers first, then the quotes by their points on day 20003.
        self.assertEqual(sorted(calls, reverse=True)[:2], [calls[4], calls[5]])

    def test_a_lead_changed_days_later_keeps_the_call_s_day(self):
        """A call without a quote date runs out from its creation, in Python as
        in SQL (the decay's upkeep, the bulk fills): changing the lead three
        days later moves its key by the new points only, not by three days."""
        created = NOW - timedelta(hours=1)
        with patch.object(self.env.cr, "now", return_value=created):
            # (a quote date is set by default: emptied, as a form may leave it)
            followup = self._followup(kind="callback", quote_date=False)
            self.env.flush_all()
        self.assertFalse(followup.quote_date)
        self.assertEqual(followup.create_date, created)
        later = NOW + timedelta(days=3)
        with freeze_time(later):
            self.lead.write({"expected_revenue": 20000, "probability": 50})
            self.env.flush_all()
        rate = followup.priority_rate
        base = base_points(20000, 50, self.lead.urgency)
        expected = ordering_key(base, priority.day_number(created), rate)
        self.assertAlmostEqual(followup.priority_key, expected, places=6)
        # What the upkeep's SQL gives for the same row.
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM sales_followup f WHERE f.id = %s",
                priority.ordering_key_sql(
                    SQL("f.priority_base"),
                    priority.quote_day_sql(SQL.identifier("f")),
                    SQL("f.priority_rate"),
                ),
                followup.id,
            )
        )
        self.assertAlmostEqual(self.env.cr.fetchone()[0], expected, places=6)

    def test_value_probability_and_decay(self):
        self.lead.write({"expected_revenue": 20000, "probability": 50})
        self.lead_unassigned.write({"expected_revenue": 20000, "probability": 50})
        with freeze_time(NOW):
            fresh = self._followup()
        with freeze_time(NOW - timedelta(days=4)):
            old = self.Followup.create(
                {
                    "lead_id": self.lead_unassigned.id,
                    "kind": "quote",
                    "window_start": NOW - timedelta(hours=1),
                    "window_end": NOW + timedelta(hours=3),
                }
            )
            on_its_day = old.priority_score
        self.assertEqual(old.quote_date, NOW - timedelta(days=4))
        # Four days later, with nothing rewritten: the old quote has lost four days.
        with freeze_time(NOW):
            (old | fresh).invalidate_recordset(["priority_score"])
            self.assertAlmostEqual(fresh.priority_score, on_its_day, places=6)
            self.assertLess(old.priority_score, fresh.priority_score)
            self.assertAlmostEqual(
                old.priority_score,
                priority_score("quote", 20000, 50, False, 4, 5.0),
                places=3,
            )
            self.assertEqual(
                self.Followup.search(
                    [("id", "in", (old | fresh).ids)], order="priority_score desc"
                ),
                fresh | old,
            )
            self.assertEqual(
                self.Followup.search(
                    [
                        ("id", "in", (old | fresh).ids),
                        ("priority_score", ">", old.priority_score + 0.001),
                    ]
                ),
                fresh,
            )
            # A bigger, likelier deal climbs at once.
            self.lead_unassigned.write({"expected_revenue": 90000, "probability": 90})
            self.assertGreater(old.priority_score, fresh.priority_score)
            self.assertEqual(
                self.Followup.search(
                    [("id", "in", (old | fresh).ids)], order="priority_score desc"
                ),
                old | fresh,
            )

    def test_decay_setting(self):
        self.company.sales_priority_decay = 0
        self.lead.write({"expected_revenue": 20000, "probability": 50})
        followup = self._followup()
        with freeze_time(NOW):
            before = followup.priority_score
        with freeze_time(NOW + timedelta(days=10)):
            followup.invalidate_recordset(["priority_score"])
            self.assertAlmostEqual(followup.priority_score, before, places=3)
        with self.assertRefused(ValidationError, "daily decay"):
            self.company.sales_priority_decay = 100
        with self.assertRaises(UserError):
            self.Followup.search([("priority_score", ">", "high")])


@tagged("post_install", "-at_install")
class TestPriorityReason(FollowupCommon):
    """What a coordinator reads instead of the score: stars for the tier and a
    short reason; the score itself is for managers (and exports)."""

    def _reason(self, followup, at=NOW, user=None):
        with freeze_time(at):
            followup = followup.with_user(user or self.coordinator)
            followup.invalidate_recordset(["priority_reason", "priority_stars"])
            return followup.priority_stars, followup.priority_reason

    def test_reason_per_kind(self):
        self.lead.write({"expected_revenue": 8400, "probability": 40})
        quote = self._followup(
            kind="quote",
            start=NOW - timedelta(days=1),
            hours=48,
            quote_date=NOW - timedelta(days=2, hours=3),
        )
        self.assertEqual(
            self._reason(quote), ("0", "quote of $\xa08,400.00, day 3 of 4")
        )
        callback = self._followup(kind="callback")
        self.assertEqual(self._reason(callback), ("2", "asked to be called back"))
        reset = self._followup(kind="reset")
        self.assertEqual(self._reason(reset), ("2", "missed the visit: book another"))
        happy = self._followup(kind="happy_call")
        self.assertEqual(
            self._reason(happy), ("0", "after the job: is the customer happy?")
        )
        rehash = self._followup(kind="rehash")
        self.assertEqual(
            self._reason(rehash), ("0", "no sale at the visit: offer another")
        )

    def test_confirmation_says_which_visit(self):
        with freeze_time(NOW):
            visit = self._book(user=self.coordinator, start=datetime(2031, 3, 4, 9))
        confirmation = self.lead.followup_ids.filtered(
            lambda f: f.kind == "confirmation"
        )
        self.assertEqual(self._reason(confirmation), ("1", "confirm tomorrow's visit"))
        self.assertEqual(
            self._reason(confirmation, at=datetime(2031, 3, 4, 7))[1],
            "confirm today's visit",
        )
        with freeze_time(NOW):
            visit.with_user(self.coordinator).start = datetime(2031, 3, 6, 9)
        self.assertEqual(
            self._reason(confirmation)[1], "confirm Thursday 6 Mar's visit"
        )

    def test_missed_call_and_web_form_say_how_long_ago(self):
        source = self.env["sales.inbound.source"].create({"name": "Tracker"})
        Event = self.env["sales.inbound.event"].with_user(source.user_id)
        with freeze_time(NOW - timedelta(minutes=12)):
            values = Event._parse(
                {
                    "type": "call",
                    "event_id": "evt-1",
                    "started_at": (NOW - timedelta(minutes=12)).isoformat() + "Z",
                    "tracking_number": "+1 217 555 0111",
                    "caller_number": "+1 217 555 0142",
                    "caller_name": "Mo Missed",
                    "answered": False,
                }
            )
            answer = Event._record(source, values)
        missed = self.Followup.browse(answer["followup_id"])
        self.assertEqual(self._reason(missed), ("3", "missed call 12 min ago"))
        with freeze_time(NOW - timedelta(hours=3)):
            form = self.Followup._sales_queue(
                [{"lead_id": self.lead_2.id, "kind": "callback", "is_inbound": True}]
            )
        self.assertEqual(self._reason(form), ("3", "web form 3 h ago"))
        # Unanswered attempts are said too.
        with freeze_time(NOW):
            self.assertEqual(self._claim(self.other_coordinator), form)
            form.with_user(self.other_coordinator).action_log_call("no_answer")
        self.assertEqual(
            self._reason(form, at=NOW + timedelta(days=3)),
            ("3", "web form 3 days ago; 1 unanswered"),
        )

    def test_the_score_is_for_managers(self):
        followup = self._followup()
        for user, sees in ((self.coordinator, False), (self.manager, True)):
            for view_type in ("list", "form"):
                with self.subTest(user=user.login, view=view_type):
                    arch = self.Followup.with_user(user).get_views(
                        [(False, view_type)]
                    )["views"][view_type]["arch"]
                    self.assertEqual('name="priority_score"' in arch, sees)
                    self.assertIn('name="priority_reason"', arch)
        # Still there to read and export for whoever may read the call.
        self.assertTrue(followup.with_user(self.coordinator).priority_score)
        self.manager.groups_id += self.env.ref("base.group_allow_export")
        exported = followup.with_user(self.manager).export_data(
            ["priority_score", "priority_reason"]
        )["datas"]
        self.assertEqual(len(exported), 1)


@tagged("post_install", "-at_install")
class TestCallOutcome(FollowupCommon):
    """Each attempt is logged; what came of it moves the queue and the lead."""

    def _claimed(self, **values):
        followup = self._followup(**values)
        self.assertEqual(self._claim(self.coordinator), followup)
        return followup

    def _log(self, followup, *args, user=None, at=NOW, **kwargs):
        with freeze_time(at):
            return followup.with_user(user or self.coordinator).action_log_call(
                *args, **kwargs
            )

    def test_no_answer_moves_to_the_next_window(self):
        followup = self._claimed(kind="quote", start=datetime(2031, 3, 3, 9), hours=3)
        self._log(followup, "no_answer", duration=0)
        self.assertEqual(followup.state, "queued")
        self.assertFalse(followup.claimed_by_id)
        self.assertEqual(followup.attempt_count, 1)
        self.assertEqual(
            (followup.window_start, followup.window_end),
            (datetime(2031, 3, 4, 9), datetime(2031, 3, 4, 12)),
        )
        call = followup.call_ids
        self.assertEqual((call.result, call.direction), ("no_answer", "out"))
        self.assertEqual(call.user_id, self.coordinator)
        self.assertEqual(self.lead.last_contact_date, NOW)

    def test_voicemails_escalate_to_the_manager(self):
        self.company.sales_max_attempts = 2
        self.lead.team_id.user_id = self.manager
        followup = self._claimed()
        self._log(followup, "voicemail")
        self.assertFalse(followup.escalated)
        self.assertEqual(
            self._claim(self.coordinator, NOW + timedelta(days=1)), followup
        )
        self._log(followup, "voicemail", at=NOW + timedelta(days=1))
        self.assertTrue(followup.escalated)
        self.assertEqual(followup.attempt_count, 2)
        activity = self.lead.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertIn("2 calls", str(activity.note))

    def test_a_callers_name_is_escaped_in_the_managers_note(self):
        """The lead's name comes from an inbound caller or a website visitor:
        it is text in the manager's note, never markup."""
        self.company.sales_max_attempts = 1
        self.lead.team_id.user_id = self.manager
        self.lead.name = '<img src="x" onerror="alert(1)">'
        self._log(self._claimed(), "voicemail")
        activity = self.lead.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertNotIn("<img", str(activity.note))
        self.assertIn("&lt;img", str(activity.note))

    def test_connected_and_booked_opens_the_booking(self):
        self.customer.zip = "62701"
        followup = self._claimed()
        action = self._log(followup, "connected", "booked", duration=240)
        self.assertEqual(action["res_model"], "sales.booking.wizard")
        self.assertEqual(followup.state, "done")
        self.assertEqual(followup.call_ids.duration, 240)

    def test_needs_more_time(self):
        followup = self._claimed()
        start, end = datetime(2031, 3, 10, 17), datetime(2031, 3, 10, 20)
        self._log(followup, "connected", "later", window_start=start, window_end=end)
        self.assertEqual(followup.state, "queued")
        self.assertEqual((followup.window_start, followup.window_end), (start, end))

    def test_needs_more_time_without_a_window_writes_nothing(self):
        followup = self._claimed()
        with self.assertRefused(ValidationError, "Agree on when to call back"):
            self._log(followup, "connected", "later")
        with self.assertRefused(ValidationError, "in the past"):
            self._log(
                followup,
                "connected",
                "later",
                window_start=NOW - timedelta(days=2),
                window_end=NOW - timedelta(days=1),
            )
        self.assertFalse(followup.call_ids)
        self.assertEqual(followup.state, "claimed")

    def test_yes(self):
        followup = self._claimed()
        self._log(followup, "connected", "won")
        self.assertEqual(followup.state, "done")
        self.assertTrue(self.lead.stage_id.is_won)
        self.assertEqual(
            self.lead.followup_ids.filtered(lambda f: f.state == "queued").kind,
            "happy_call",
        )

    def test_no_needs_a_reason_and_ends_everything(self):
        followup = self._claimed()
        confirmation = self._followup(
            kind="confirmation", start=NOW + timedelta(days=1)
        )
        with self.assertRefused(ValidationError, "pick a reason"):
            self._log(followup, "connected", "lost")
        self.assertFalse(followup.call_ids)
        reason = self.env.ref("crm.lost_reason_1")
        self._log(followup, "connected", "lost", lost_reason_id=reason.id)
        self.assertFalse(self.lead.active)
        self.assertEqual(self.lead.lost_reason_id, reason)
        self.assertEqual(followup.state, "done")
        self.assertEqual(confirmation.state, "cancelled")

    def test_wrong_number_flags_the_contact(self):
        followup = self._claimed()
        self._log(followup, "wrong_number")
        self.assertEqual(followup.state, "cancelled")
        self.assertTrue(self.lead.sales_wrong_number)
        self.lead.phone = "+1 555 0199"
        self.assertFalse(self.lead.sales_wrong_number)

    def test_connected_needs_an_outcome(self):
        followup = self._claimed()
        with self.assertRefused(UserError, "what came of the conversation"):
            self._log(followup, "connected")
        self.assertFalse(followup.call_ids)

    def test_refusals(self):
        followup = self._claimed()
        with self.assertRefused(AccessError, "made by the coordinators"):
            self._log(followup, "no_answer", user=self.advisor)
        with self.assertRefused(UserError, "is calling"):
            self._log(followup, "no_answer", user=self.backup_coordinator)
        self._log(followup, "connected", "done")
        with self.assertRefused(UserError, "already done"):
            self._log(followup, "no_answer")
        self.assertEqual(len(followup.call_ids), 1)

    def test_outcome_screen(self):
        debrief_event = self._book(start=datetime(2031, 2, 24, 9))
        with freeze_time(datetime(2031, 2, 24, 11)):
            debrief = self.env["sales.debrief"].create(
                {
                    "event_id": debrief_event.id,
                    "product_interest": "Heat pump",
                    "amount_untaxed": 9000,
                    "probability": 40,
                    "outcome": "advance",
                    "next_step": "Send the quote",
                    "followup_date": date(2031, 3, 3),
                    "followup_daypart": "morning",
                }
            )
            debrief.action_confirm()
        followup = debrief.followup_id
        with freeze_time(NOW):
            action = followup.with_user(self.coordinator).action_open_call()
            self.assertEqual(followup.claimed_by_id, self.coordinator)
            form = Form(
                self.env[action["res_model"]]
                .with_user(self.coordinator)
                .with_context(**action["context"])
            )
            self.assertEqual(form.last_debrief_id, debrief)
            self.assertEqual(form.last_debrief_next_step, "Send the quote")
            form.choice = "later"
            form.callback_date = date(2031, 3, 9)
            form.callback_daypart = "evening"
            form.save().action_confirm()
        self.assertEqual(followup.state, "queued")
        self.assertEqual(followup.window_start, datetime(2031, 3, 9, 17))
        self.assertEqual(followup.call_ids.result, "connected")
