from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from ..models.sales_followup import OPEN_STATES
from .common import SalesCoordinationCommon

# The appointment: Monday 2031-03-03 09:00-10:30 UTC.
AFTER = datetime(2031, 3, 3, 11, 0)


@tagged("post_install", "-at_install")
class TestDebrief(SalesCoordinationCommon):
    """After each appointment the coordinator records the advisor's debrief; its
    confirmation updates the opportunity and queues the follow-up; the manager adds
    their own debrief."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = cls._book()
        cls.Debrief = cls.env["sales.debrief"]

    def _debrief(self, user=None, **values):
        user = user or self.coordinator
        with (
            freeze_time(AFTER),
            Form(
                self.Debrief.with_user(user).with_context(
                    default_event_id=self.event.id
                )
            ) as form,
        ):
            form.product_interest = values.pop("product_interest", "Heat pump 12 kW")
            form.amount_untaxed = values.pop("amount_untaxed", 12000)
            form.probability = values.pop("probability", 60)
            form.outcome = values.pop("outcome", "advance")
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def _open_followups(self, kind=None):
        return self.lead.followup_ids.filtered(
            lambda f: f.state in OPEN_STATES and (not kind or f.kind == kind)
        )

    def _confirm(self, debrief):
        with freeze_time(AFTER):
            return debrief.action_confirm()

    # Outcomes

    def test_advance_queues_a_quote_follow_up(self):
        debrief = self._debrief(
            followup_date=datetime(2031, 3, 5).date(),
            followup_daypart="evening",
            next_step="Compare with the neighbour's quote",
        )
        # Evening is 17:00-20:00 in the coordinator's time zone (UTC here).
        self.assertEqual(debrief.followup_window_start, datetime(2031, 3, 5, 17))
        self.assertEqual(debrief.followup_window_end, datetime(2031, 3, 5, 20))
        self._confirm(debrief)
        self.assertEqual(debrief.state, "done")
        self.assertEqual(self.event.debrief_state, "done")
        self.assertEqual(self.lead.expected_revenue, 12000)
        self.assertEqual(self.lead.probability, 60)
        followup = debrief.followup_id
        self.assertEqual(followup.kind, "quote")
        self.assertEqual(followup.lead_id, self.lead)
        self.assertEqual(followup.state, "queued")
        self.assertEqual(
            (followup.window_start, followup.window_end),
            (datetime(2031, 3, 5, 17), datetime(2031, 3, 5, 20)),
        )
        self.assertEqual(self._open_followups("quote"), followup)
        self.assertIn("Heat pump 12 kW", self.lead.message_ids[0].body)

    def test_repeat_with_next_appointment_booked_queues_nothing(self):
        debrief = self._debrief(outcome="repeat")
        debrief.next_event_id = self._book(start=datetime(2031, 3, 10, 9))
        self._confirm(debrief)
        self.assertFalse(debrief.followup_id)
        self.assertFalse(self._open_followups("quote"))

    def test_won(self):
        self._confirm(self._debrief(outcome="won", probability=100))
        self.assertTrue(self.lead.stage_id.is_won)
        self.assertEqual(self.lead.expected_revenue, 12000)
        # A yes ends the calls but for the happy call, a week later (setting).
        happy = self._open_followups()
        self.assertEqual(happy.kind, "happy_call")
        self.assertEqual(happy.window_start.date(), datetime(2031, 3, 10).date())

    def test_lost_with_reason(self):
        reason = self.env.ref("crm.lost_reason_1")
        self._confirm(
            self._debrief(outcome="lost", lost_reason_id=reason, probability=0)
        )
        self.assertFalse(self.lead.active)
        self.assertEqual(self.lead.lost_reason_id, reason)
        self.assertFalse(self._open_followups(), "never push past a no")

    def test_abandon(self):
        self._confirm(self._debrief(outcome="abandon", probability=0))
        self.assertFalse(self.lead.active)
        self.assertEqual(
            self.lead.lost_reason_id,
            self.env.ref("sales_coordination.crm_lost_reason_abandon"),
        )

    # Due and overdue

    def test_due_then_overdue_then_done(self):
        Event = self.env["calendar.event"]
        self.event.name = "Visit of <b>Carla</b>"
        self.assertEqual(self.event.debrief_state, "none")
        with freeze_time(datetime(2031, 3, 3, 10, 0)):
            Event._cron_debrief_states()
        self.assertEqual(self.event.debrief_state, "none", "not over yet")
        with freeze_time(datetime(2031, 3, 3, 10, 31)):
            Event._cron_debrief_states()
            self.assertEqual(self.event.debrief_state, "due")
            self.assertFalse(self.event.is_debrief_overdue)
        with freeze_time(datetime(2031, 3, 4, 10, 31)):
            self.assertIn(self.event, Event.search([("is_debrief_overdue", "=", True)]))
            Event._cron_debrief_states()
            Event._cron_debrief_states()
        activity_type = self.env.ref("sales_coordination.mail_activity_type_debrief")
        activities = self.lead.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.coordinator)
        # The appointment's name (the lead's, perhaps a caller's) is text.
        self.assertNotIn("<b>", str(activities.note))
        self._confirm(self._debrief(outcome="won", probability=100))
        self.assertEqual(self.event.debrief_state, "done")

    def test_due_then_overdue_at_any_hour(self):
        # An advisor working every hour of every day: a visit that ended half an
        # hour before each moment, whatever the hour or the day.
        self.advisor.resource_calendar_id = self.env["resource.calendar"].create(
            {
                "name": "Every hour",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": str(day),
                            "dayofweek": str(day),
                            "hour_from": 0,
                            "hour_to": 23.99,
                        }
                    )
                    for day in range(7)
                ],
            }
        )
        self._at_each_moment(self._check_due_then_overdue)

    def _check_due_then_overdue(self, now):
        Event = self.env["calendar.event"]
        # Half an hour long: inside the day (the calendar's day ends at 23:59).
        event = self._book(start=now - timedelta(hours=1), hours=0.5)
        board = self.env["sales.coordinator.board"]
        domain = [("user_id", "=", self.coordinator.id)]

        def figures():
            self.env.invalidate_all()
            row = board.search(domain)
            return (
                event.debrief_state,
                event.is_debrief_overdue,
                (
                    row.debriefs_due,
                    row.debriefs_overdue,
                ),
            )

        Event._cron_debrief_states()
        self.assertEqual(figures(), ("due", False, (1, 0)))
        with freeze_time(event.stop + timedelta(hours=23, minutes=59)):
            Event._cron_debrief_states()
            self.assertEqual(figures(), ("due", False, (1, 0)))
        with freeze_time(event.stop + timedelta(hours=24, minutes=1)):
            self.assertIn(event, Event.search([("is_debrief_overdue", "=", True)]))
            Event._cron_debrief_states()
            self.assertEqual(figures(), ("due", True, (1, 1)))
        activity_type = self.env.ref("sales_coordination.mail_activity_type_debrief")
        alerts = self.lead.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertEqual(alerts.user_id, self.coordinator)

    # The manager's debrief and who sees what

    def test_manager_debrief_and_visibility(self):
        debrief = self._debrief(outcome="won", probability=100)
        self._confirm(debrief)
        with self.assertRefused(AccessError, "Only a sales manager"):
            debrief.with_user(self.coordinator).strength_1 = "Listened"
        debrief.with_user(self.manager).write(
            {
                "strength_1": "Listened first",
                "strength_2": "Measured every room",
                "strength_3": "Clear price",
                "improvement": "Ask for the decision",
            }
        )
        self.assertTrue(debrief.manager_reviewed)
        self.assertEqual(debrief.manager_id, self.manager)
        Debrief = self.env["sales.debrief"]
        # The advisor reads their own debrief and the manager's remarks...
        mine = Debrief.with_user(self.advisor).search([])
        self.assertEqual(mine, debrief)
        self.assertEqual(mine.improvement, "Ask for the decision")
        # ...and nobody else's.
        for user in (self.advisor_2, self.other_coordinator, self.manager_c2):
            with self.subTest(user=user.login):
                self.assertFalse(Debrief.with_user(user).search([]))
                with self.assertRaises(AccessError):
                    debrief.with_user(user).read(["improvement"])
        to_review = Debrief.search(
            [("state", "=", "done"), ("manager_reviewed", "=", False)]
        )
        self.assertNotIn(debrief, to_review)

    # Bad input

    def test_bad_figures(self):
        with self.assertRefused(ValidationError, "between 0 and 100"):
            self._debrief(probability=120)
        with self.assertRefused(ValidationError, "cannot be negative"):
            self._debrief(amount_untaxed=-5)
        self.assertFalse(self.Debrief.search([("event_id", "=", self.event.id)]))

    def test_advance_needs_a_window_or_a_booking(self):
        debrief = self._debrief(outcome="advance")
        with self.assertRefused(ValidationError, "Agree on when to call back"):
            self._confirm(debrief)
        self.assertEqual(debrief.state, "draft")
        self.assertFalse(self._open_followups("quote"))

    def test_window_in_the_past_or_reversed(self):
        debrief = self._debrief(
            followup_date=datetime(2031, 3, 1).date(), followup_daypart="morning"
        )
        with self.assertRefused(ValidationError, "in the past"):
            self._confirm(debrief)
        with self.assertRefused(ValidationError, "must end after it starts"):
            debrief.write(
                {
                    "followup_window_start": datetime(2031, 3, 6, 12),
                    "followup_window_end": datetime(2031, 3, 6, 9),
                }
            )

    def test_lost_needs_a_reason(self):
        with freeze_time(AFTER):
            debrief = self.Debrief.with_user(self.coordinator).create(
                {
                    "event_id": self.event.id,
                    "product_interest": "Boiler",
                    "outcome": "lost",
                }
            )
        with self.assertRefused(ValidationError, "why the customer said no"):
            self._confirm(debrief)
        self.assertTrue(self.lead.active)

    def test_before_the_appointment(self):
        with (
            freeze_time(datetime(2031, 3, 3, 8, 0)),
            self.assertRefused(ValidationError, "has not started yet"),
        ):
            self.Debrief.with_user(self.coordinator).create(
                {
                    "event_id": self.event.id,
                    "product_interest": "Boiler",
                    "outcome": "won",
                }
            )

    def test_second_debrief_for_the_same_appointment(self):
        self._debrief()
        with freeze_time(AFTER), self.assertRefused(ValidationError, "already has"):
            self.Debrief.create(
                {
                    "event_id": self.event.id,
                    "product_interest": "Boiler",
                    "outcome": "won",
                }
            )

    def test_advisor_cannot_edit(self):
        debrief = self._debrief(outcome="won", probability=100)
        self._confirm(debrief)
        with self.assertRaises(AccessError):
            debrief.with_user(self.advisor).product_interest = "Something else"
        with self.assertRefused(UserError, "only a manager may change"):
            debrief.with_user(self.coordinator).amount_untaxed = 1
        debrief.with_user(self.manager).amount_untaxed = 11000
        self.assertEqual(debrief.amount_untaxed, 11000)

    def test_only_sales_appointments(self):
        meeting = self.env["calendar.event"].create(
            {
                "name": "Team meeting",
                "start": datetime(2031, 3, 3, 14),
                "stop": datetime(2031, 3, 3, 15),
            }
        )
        with (
            freeze_time(AFTER + timedelta(hours=5)),
            self.assertRefused(ValidationError, "Only sales appointments"),
        ):
            self.Debrief.create(
                {"event_id": meeting.id, "product_interest": "-", "outcome": "won"}
            )


@tagged("post_install", "-at_install")
class TestAdvisorDraft(SalesCoordinationCommon):
    """Once the visit started, its advisor records a draft result from the field;
    only the coordinator's confirmation moves the opportunity and the queue."""

    # The appointment: Monday 2031-03-03 09:00-10:30 UTC; the advisor at the
    # customer's at 09:40.
    DURING = datetime(2031, 3, 3, 9, 40)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = cls._book()
        cls.Debrief = cls.env["sales.debrief"]

    def _values(self, **values):
        return {
            "event_id": self.event.id,
            "product_interest": "Heat pump 9 kW",
            "amount_untaxed": 9500,
            "probability": 60,
            "outcome": "advance",
            "next_step": "Compare with the neighbour's quote",
            "followup_date": datetime(2031, 3, 5).date(),
            "followup_daypart": "evening",
            **values,
        }

    def _draft(self, **values):
        with freeze_time(self.DURING):
            return self.Debrief.with_user(self.advisor).create(self._values(**values))

    def test_advisor_records_a_draft_once_started(self):
        followups = self.lead.followup_ids
        draft = self._draft()
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.advisor_id, self.advisor)
        self.assertEqual(draft.followup_window_start, datetime(2031, 3, 5, 17))
        # Nothing moved: the coordinator has not confirmed.
        self.assertEqual(self.lead.expected_revenue, 0)
        self.assertEqual(self.lead.followup_ids, followups)
        with freeze_time(self.DURING):
            draft.with_user(self.advisor).write(
                {
                    "outcome": "lost",
                    "lost_reason_id": (
                        self.env.ref(
                            "sales_coordination.crm_lost_reason_definitive_no"
                        ).id
                    ),
                }
            )
        self.assertEqual(draft.outcome, "lost")
        self.assertFalse(self.lead.lost_reason_id)

    def test_advisor_before_the_visit_refused(self):
        with (
            freeze_time(self.DURING - timedelta(hours=1)),
            self.assertRefused(AccessError, "has not started yet"),
        ):
            self.Debrief.with_user(self.advisor).create(self._values())
        self.assertFalse(self.event.debrief_ids)

    def test_advisor_of_another_visit_refused(self):
        other = self._book(advisor=self.advisor_2, lead=self.lead_2)
        for advisor in (self.advisor, self.salesman):
            with (
                freeze_time(self.DURING),
                self.assertRaises(AccessError),
            ):
                self.Debrief.with_user(advisor).create(self._values(event_id=other.id))
        draft = self._draft()
        with freeze_time(self.DURING), self.assertRaises(AccessError):
            draft.with_user(self.advisor).write({"event_id": other.id})
        with freeze_time(self.DURING), self.assertRaises(AccessError):
            draft.with_user(self.advisor_2).write({"amount_untaxed": 1})
        self.assertEqual(draft.event_id, self.event)
        self.assertEqual(draft.amount_untaxed, 9500)

    def test_advisor_writes_the_result_only(self):
        draft = self._draft()
        for vals in (
            {"coordinator_id": self.other_coordinator.id},
            {"strength_1": "Listened well"},
            {"next_event_id": self._book(start=datetime(2031, 3, 10, 9)).id},
        ):
            with (
                self.subTest(vals=vals),
                freeze_time(self.DURING),
                self.assertRaises(AccessError),
            ):
                draft.with_user(self.advisor).write(vals)
        with freeze_time(self.DURING), self.assertRaises(AccessError):
            self.Debrief.with_user(self.advisor).create(
                self._values(
                    event_id=self._book(start=self.start - timedelta(days=7)).id,
                    coordinator_id=self.coordinator.id,
                )
            )
        with self.assertRaises(AccessError):
            draft.with_user(self.advisor).unlink()

    def test_advisor_confirm_refused(self):
        draft = self._draft()
        with (
            freeze_time(self.DURING + timedelta(hours=2)),
            self.assertRefused(AccessError, "Only a coordinator confirms"),
        ):
            draft.with_user(self.advisor).action_confirm()
        self.assertEqual(draft.state, "draft")
        self.assertEqual(self.lead.expected_revenue, 0)

    def test_coordinator_confirm_moves_the_lead(self):
        draft = self._draft()
        with freeze_time(self.DURING + timedelta(hours=2)):
            opened = self.event.with_user(self.coordinator).action_open_debrief()
            self.assertEqual(opened["res_id"], draft.id)
            draft.with_user(self.coordinator).action_confirm()
        self.assertEqual(draft.state, "done")
        self.assertEqual(draft.coordinator_id, self.coordinator)
        self.assertEqual(self.lead.expected_revenue, 9500)
        self.assertEqual(self.lead.probability, 60)
        self.assertEqual(draft.followup_id.kind, "quote")
        self.assertEqual(draft.followup_id.window_start, datetime(2031, 3, 5, 17))
        self.assertEqual(self.event.debrief_state, "done")
        # Confirmed: the advisor's draft is closed.
        with self.assertRaises(AccessError):
            draft.with_user(self.advisor).write({"amount_untaxed": 1})
        # Its appointment stays: written again it changes nothing (an update of
        # data files does so), another one is refused.
        with freeze_time(self.DURING + timedelta(days=2)):
            draft.with_user(self.manager).write({"event_id": self.event.id})
            other = self.env["calendar.event"].create(
                {"name": "Another visit", "start": self.DURING, "stop": self.DURING}
            )
            with self.assertRaisesRegex(UserError, "the appointment it is about"):
                draft.with_user(self.manager).write({"event_id": other.id})
        self.assertEqual(draft.event_id, self.event)

    def test_advisor_button_only_once_started(self):
        with freeze_time(self.DURING - timedelta(hours=1)):
            self.assertFalse(self.event.with_user(self.advisor).sales_started)
        self.event.invalidate_recordset(["sales_started"])
        with freeze_time(self.DURING):
            self.assertTrue(self.event.with_user(self.advisor).sales_started)
            action = self.event.with_user(self.advisor).action_open_debrief()
        form = self.env.ref("sales_coordination.sales_debrief_view_form_advisor")
        self.assertEqual(action["views"], [(form.id, "form")])

    def test_my_day_offers_the_advisors_days_and_filters(self):
        action = self.env.ref("sales_coordination.calendar_event_action_advisor_day")
        views = (
            self.env["calendar.event"]
            .with_user(self.advisor)
            .get_views([(False, "kanban"), (action.search_view_id.id, "search")])
        )
        arch = views["views"]["search"]["arch"]
        for name in ("today", "tomorrow", "this_week"):
            self.assertIn(f'name="{name}"', arch)
        # The coordinators' filters are theirs.
        for name in ("my_advisors", "booked_by_me"):
            self.assertNotIn(f'name="{name}"', arch)
