from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models.sales_followup import OPEN_STATES
from ..tools import backfill
from .common import SalesCoordinationCommon

# Mondays in the past, inside the standard working hours (UTC).
PAST = datetime(2025, 3, 3, 9, 0)


class FunnelCommon(SalesCoordinationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["calendar.event"]
        cls.final_no = cls.env.ref("sales_coordination.crm_lost_reason_definitive_no")
        cls.too_expensive = cls.env["crm.lost.reason"].create(
            {"name": "Too expensive (funnel)"}
        )

    @classmethod
    def _lead(cls, name, source, advisor=None, **values):
        return cls.env["crm.lead"].create(
            dict(
                {
                    "name": name,
                    "type": "opportunity",
                    "source_id": source.id,
                    "user_id": advisor.id if advisor else False,
                    "company_id": cls.company.id,
                },
                **values,
            )
        )

    @classmethod
    def _visit(cls, lead, start, advisor=None):
        """A visit booked by the advisor's coordinator, as from the proposals."""
        advisor = advisor or cls.advisor
        return cls._book(
            user=advisor.coordinator_id, lead=lead, start=start, advisor=advisor
        )

    @classmethod
    def _debrief(cls, event, outcome, amount=10000, reason=None):
        """The debrief the advisor's coordinator records, confirmed."""
        debrief = (
            cls.env["sales.debrief"]
            .with_user(event.advisor_id.coordinator_id)
            .create(
                {
                    "event_id": event.id,
                    "product_interest": "Heat pump",
                    "amount_untaxed": amount,
                    "probability": 100 if outcome == "won" else 20,
                    "outcome": outcome,
                    "lost_reason_id": reason.id if reason else False,
                }
            )
        )
        debrief.action_confirm()
        return debrief

    def _open(self, lead, kind):
        return lead.followup_ids.filtered(
            lambda f: f.kind == kind and f.state in OPEN_STATES
        )


@tagged("post_install", "-at_install")
class TestAppointmentTypes(FunnelCommon):
    """Each sales appointment gets its type from the lead's history: new, reset
    after a no-show or a cancellation, rehash after a demo without a sale, a
    follow-up visit otherwise; a type chosen by hand stays."""

    def test_new_then_follow_up(self):
        first = self._visit(self.lead, PAST)
        self.assertEqual(first.appointment_type, "new")
        second = self._visit(self.lead, PAST + timedelta(days=7))
        self.assertEqual(second.appointment_type, "follow_up")

    def test_reset_after_no_show_and_after_cancellation(self):
        first = self._visit(self.lead, PAST)
        first.with_user(self.coordinator).action_mark_no_show()
        reset = self._visit(self.lead, PAST + timedelta(days=1))
        self.assertEqual(reset.appointment_type, "reset")
        reset.with_user(self.coordinator).action_archive()
        again = self._visit(self.lead, PAST + timedelta(days=2))
        self.assertEqual(again.appointment_type, "reset")

    def test_rehash_after_a_demo_without_a_sale(self):
        first = self._visit(self.lead, PAST)
        self._debrief(first, "lost", reason=self.too_expensive)
        self.lead.toggle_active()
        rehash = self._visit(self.lead, PAST + timedelta(days=14))
        self.assertEqual(rehash.appointment_type, "rehash")

    def test_chosen_type_stays_and_can_be_corrected(self):
        values = self._appointment_values(start=PAST)
        values["appointment_type"] = "follow_up"
        event = self.Event.with_user(self.coordinator).create(values)
        self.assertEqual(event.appointment_type, "follow_up")
        event.with_user(self.coordinator).appointment_type = "new"
        self.assertEqual(event.appointment_type, "new")

    def test_derived_types_only_from_the_history(self):
        """Reset and rehash count in the funnel: the history makes them, not a
        choice, and a visit the history made one stays one."""
        values = self._appointment_values(start=PAST)
        for user in (self.coordinator, self.manager):
            for kind in ("reset", "rehash"):
                with (
                    self.subTest(user=user.login, kind=kind),
                    self.assertRefused(UserError, "cannot be chosen by hand"),
                ):
                    self.Event.with_user(user).with_context(
                        sales_mark_no_show=True
                    ).create(dict(values, appointment_type=kind))
        event = self._visit(self.lead, PAST)
        for user in (self.coordinator, self.manager):
            with self.assertRefused(UserError, "cannot be chosen by hand"):
                event.with_user(user).appointment_type = "reset"
        event.action_mark_no_show()
        reset = self._visit(self.lead, PAST + timedelta(days=1))
        self.assertEqual(reset.appointment_type, "reset")
        with self.assertRefused(UserError, "cannot be chosen by hand"):
            reset.with_user(self.coordinator).appointment_type = "new"
        self.assertEqual(reset.appointment_type, "reset")

    def test_only_coordinators_and_managers_set_the_type(self):
        event = self._visit(self.lead, PAST)
        with self.assertRefused(AccessError, "your own sales appointments"):
            event.with_user(self.advisor).appointment_type = "follow_up"
        self.assertEqual(event.appointment_type, "new")

    def test_types_of_visits_booked_before_types_existed(self):
        first = self._visit(self.lead, PAST)
        cancelled = self._visit(self.lead, PAST + timedelta(days=1))
        cancelled.action_archive()
        after_cancel = self._visit(self.lead, PAST + timedelta(days=2))
        self._debrief(after_cancel, "abandon")
        self.lead.toggle_active()
        after_demo = self._visit(self.lead, PAST + timedelta(days=3))
        visits = first | cancelled | after_cancel | after_demo
        # As before the upgrade that added the types.
        visits.sudo().write({"appointment_type": False})
        self.env.flush_all()
        backfill.fill_appointment_types(self.env.cr)
        visits.invalidate_recordset(["appointment_type"])
        self.assertEqual(
            visits.with_context(active_test=False).mapped("appointment_type"),
            ["new", "follow_up", "reset", "rehash"],
        )
        # What the upgrade then counts on the lead.
        backfill.fill_funnel_columns(self.env.cr)
        self.lead.invalidate_recordset()
        self.assertEqual(
            (self.lead.sales_reset_count, self.lead.sales_rehash_count), (1, 1)
        )

    def test_fill_gives_the_types_the_bookings_gave(self):
        """The bulk fill (an existing database, the benchmark generator) and the
        booking read one rule: a no-show, a cancellation, a demo without a
        sale and a visit after a debrief each give the next visit its type."""
        first = self._visit(self.lead, PAST)
        first.with_user(self.coordinator).action_mark_no_show()
        after_no_show = self._visit(self.lead, PAST + timedelta(days=1))
        after_no_show.with_user(self.coordinator).action_archive()
        after_cancel = self._visit(self.lead, PAST + timedelta(days=2))
        self._debrief(after_cancel, "abandon")
        self.lead.toggle_active()
        after_demo = self._visit(self.lead, PAST + timedelta(days=3))
        visits = (first | after_no_show | after_cancel | after_demo).with_context(
            active_test=False
        )
        booked = visits.mapped("appointment_type")
        self.assertEqual(booked, ["new", "reset", "reset", "rehash"])
        visits.sudo().write({"appointment_type": False})
        self.env.flush_all()
        backfill.fill_appointment_types(self.env.cr)
        visits.invalidate_recordset(["appointment_type"])
        self.assertEqual(visits.mapped("appointment_type"), booked)

    def test_two_visits_booked_at_once(self):
        events = self.Event.with_user(self.coordinator).create(
            [
                self._appointment_values(lead=self.lead_unassigned, start=PAST),
                self._appointment_values(
                    lead=self.lead_unassigned, start=PAST + timedelta(days=1)
                ),
            ]
        )
        self.assertEqual(events.mapped("appointment_type"), ["new", "follow_up"])


@tagged("post_install", "-at_install")
class TestNoShow(FunnelCommon):
    """A no-show is one click for the coordinator: no debrief, and a reset call
    at the top of their queue."""

    def test_no_show_queues_a_reset_on_top(self):
        # A quote follow-up due now, already waiting in the coordinator's queue.
        quote = self.env["sales.followup"].create(
            {
                "lead_id": self.lead_unassigned.id,
                "kind": "quote",
                "window_start": fields.Datetime.now() - timedelta(hours=1),
                "window_end": fields.Datetime.now() + timedelta(hours=3),
            }
        )
        quote.lead_id.coordinator_id = self.coordinator
        self.env["sales.followup"].search(
            [("id", "!=", quote.id), ("state", "in", OPEN_STATES)]
        ).write({"state": "cancelled"})
        event = self._visit(self.lead, PAST)
        self.Event._cron_debrief_states()
        self.assertEqual(event.debrief_state, "due")
        self.assertTrue(event.with_user(self.coordinator).action_mark_no_show())
        self.assertTrue(event.is_no_show)
        self.assertEqual(event.debrief_state, "none")
        reset = self._open(self.lead, "reset")
        self.assertEqual(len(reset), 1)
        self.assertEqual(reset.event_id, event)
        self.assertGreater(reset.priority_score, quote.priority_score)
        Followup = self.env["sales.followup"].with_user(self.coordinator)
        self.assertEqual(Followup.claim_next(), reset)
        # Nothing to debrief: the cron leaves it alone, a debrief is refused.
        self.Event._cron_debrief_states()
        self.assertEqual(event.debrief_state, "none")
        self.assertFalse(event.is_debrief_overdue)
        with self.assertRefused(ValidationError, "no-show"):
            self._debrief(event, "won")
        self.assertIn("No-show", self.lead.message_ids[:1].body)

    def test_not_before_the_appointment(self):
        event = self._visit(self.lead, self.start)
        with self.assertRefused(ValidationError, "has not started yet"):
            event.with_user(self.coordinator).action_mark_no_show()
        self.assertFalse(event.is_no_show)
        self.assertFalse(self._open(self.lead, "reset"))
        self.assertTrue(self._open(self.lead, "confirmation"))

    def test_a_draft_debrief_is_discarded(self):
        event = self._visit(self.lead, PAST)
        draft = (
            self.env["sales.debrief"]
            .with_user(self.coordinator)
            .create(
                {
                    "event_id": event.id,
                    "product_interest": "Heat pump",
                    "amount_untaxed": 1000,
                    "outcome": "won",
                }
            )
        )
        event.with_user(self.coordinator).action_mark_no_show()
        self.assertFalse(draft.exists())
        self.assertTrue(event.is_no_show)

    def test_only_managers_delete_a_confirmed_debrief(self):
        debrief = self._debrief(self._visit(self.lead, PAST), "won")
        with self.assertRefused(UserError, "only a manager may delete it"):
            debrief.with_user(self.coordinator).unlink()
        with self.assertRaises(AccessError):
            debrief.with_user(self.advisor).unlink()
        debrief.with_user(self.manager).unlink()
        self.assertFalse(debrief.exists())

    def test_open_confirmation_call_is_cancelled(self):
        event = self._visit(self.lead, PAST)
        now = fields.Datetime.now()
        confirmation = self.env["sales.followup"].create(
            {
                "lead_id": self.lead.id,
                "event_id": event.id,
                "kind": "confirmation",
                "window_start": now - timedelta(hours=1),
                "window_end": now + timedelta(hours=1),
            }
        )
        event.with_user(self.coordinator).action_mark_no_show()
        self.assertEqual(confirmation.state, "cancelled")

    def test_refusals(self):
        event = self._visit(self.lead, PAST)
        with self.assertRefused(AccessError, "your own sales appointments"):
            event.with_user(self.advisor).action_mark_no_show()
        with self.assertRaises(AccessError):
            event.with_user(self.other_coordinator).action_mark_no_show()
        self.assertFalse(event.is_no_show)
        self._debrief(event, "won")
        with self.assertRefused(UserError, "has a confirmed debrief"):
            event.with_user(self.coordinator).action_mark_no_show()
        # The flag is the button's alone, not a field anyone writes.
        with self.assertRefused(UserError, "No-show"):
            event.with_user(self.coordinator).is_no_show = True
        with self.assertRefused(UserError, "No-show"):
            event.with_user(self.advisor).write({"is_no_show": True})
        with self.assertRefused(UserError, "No-show"):
            self.Event.with_user(self.coordinator).create(
                dict(
                    self._appointment_values(start=PAST + timedelta(days=2)),
                    is_no_show=True,
                )
            )
        other = self._visit(self.lead_2, PAST, advisor=self.advisor_2)
        other.with_user(self.manager).action_mark_no_show()
        with self.assertRefused(UserError, "already recorded"):
            other.with_user(self.manager).action_mark_no_show()
        meeting = self.Event.create(
            {"name": "Team meeting", "start": PAST, "stop": PAST + timedelta(hours=1)}
        )
        with self.assertRefused(UserError, "not a sales appointment"):
            meeting.action_mark_no_show()
        self.assertEqual(len(self._open(self.lead_2, "reset")), 1)


@tagged("post_install", "-at_install")
class TestRehash(FunnelCommon):
    """A demo without a sale queues a rehash call after the company's delay: off
    by default, never after a definitive no."""

    def test_off_by_default(self):
        self.assertEqual(self.company.sales_rehash_days, 0)
        self._debrief(self._visit(self.lead, PAST), "lost", reason=self.too_expensive)
        self.assertFalse(self._open(self.lead, "rehash"))

    def test_on_after_lost_and_abandon(self):
        self.company.sales_rehash_days = 30
        event = self._visit(self.lead, PAST)
        self._debrief(event, "lost", reason=self.too_expensive)
        rehash = self._open(self.lead, "rehash")
        self.assertEqual(len(rehash), 1)
        self.assertEqual(rehash.window_start, event.stop + timedelta(days=30))
        self.assertFalse(self.lead.active)
        abandoned = self._visit(self.lead_2, PAST, advisor=self.advisor_2)
        self._debrief(abandoned, "abandon")
        self.assertEqual(len(self._open(self.lead_2, "rehash")), 1)

    def test_never_after_a_definitive_no_or_a_sale(self):
        self.company.sales_rehash_days = 30
        self._debrief(self._visit(self.lead, PAST), "lost", reason=self.final_no)
        self.assertFalse(self._open(self.lead, "rehash"))
        self._debrief(self._visit(self.lead_2, PAST, advisor=self.advisor_2), "won")
        self.assertFalse(self._open(self.lead_2, "rehash"))

    def test_rehash_call_that_books_reopens_the_lead(self):
        self.company.sales_rehash_days = 1
        self._debrief(self._visit(self.lead, PAST), "lost", reason=self.too_expensive)
        rehash = self._open(self.lead, "rehash").with_user(self.coordinator)
        rehash.write(
            {
                "window_start": PAST,
                "window_end": fields.Datetime.now() + timedelta(days=1),
            }
        )
        rehash.action_open_call()
        action = rehash.action_log_call("connected", outcome="booked")
        # Nothing booked yet: the lead is still lost, the call still this
        # coordinator's (back in the queue if the claim runs out).
        self.assertTrue(action)
        self.assertFalse(self.lead.active)
        self.assertEqual(rehash.state, "claimed")
        self.assertEqual(rehash.call_ids.result, "connected")
        visit = (
            self.env["sales.appointment.scheduler"]
            .with_user(self.coordinator)
            .book(self.lead, self.advisor, self.start, self.start + timedelta(hours=1))
        )
        self.assertEqual(visit.appointment_type, "rehash")
        self.assertTrue(self.lead.active)
        self.assertFalse(self.lead.lost_reason_id)
        self.assertEqual(rehash.state, "done")

    def test_past_or_cancelled_visits_leave_a_lost_lead_lost(self):
        self._debrief(self._visit(self.lead, PAST), "lost", reason=self.too_expensive)
        reason = self.lead.lost_reason_id
        self._visit(self.lead, PAST + timedelta(days=7))
        values = self._appointment_values(start=self.start)
        self.Event.with_user(self.coordinator).create(dict(values, active=False))
        # An import (Odoo's load), as the coordinator's Import records does.
        result = self.Event.with_user(self.coordinator).load(
            ["name", "start", "stop", "advisor_id/.id", "opportunity_id/.id"],
            [
                [
                    "Imported visit",
                    fields.Datetime.to_string(self.start + timedelta(days=1)),
                    fields.Datetime.to_string(self.start + timedelta(days=1, hours=1)),
                    str(self.advisor.id),
                    str(self.lead.id),
                ]
            ],
        )
        self.assertFalse(result["messages"])
        self.assertFalse(self.lead.active)
        self.assertEqual(self.lead.lost_reason_id, reason)

    def test_import_key_of_a_client_is_no_import(self):
        """``import_file`` sent with a plain create (any JSON-RPC client may):
        an upcoming visit of a lost lead reopens it, as any booking does."""
        self._debrief(self._visit(self.lead, PAST), "lost", reason=self.too_expensive)
        self.Event.with_user(self.coordinator).with_context(import_file=True).create(
            self._appointment_values(start=self.start)
        )
        self.assertTrue(self.lead.active)

    def test_negative_delay_refused(self):
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.company.sales_rehash_days = -1


@tagged("post_install", "-at_install")
class TestSourceFunnel(FunnelCommon):
    """Every funnel column, conversion, cost and ROI on a fixed dataset against
    figures computed by hand, and who sees which rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Source = cls.env["utm.source"]
        cls.radio = Source.create({"name": "Radio (funnel)"})
        cls.signs = Source.create({"name": "Signs (funnel)"})
        cls.web = Source.create({"name": "Web (funnel)"})
        cls.sources = cls.radio | cls.signs | cls.web
        day = timedelta(days=1)
        # Radio: five leads this month.
        cls.won = cls._lead("R1 won", cls.radio, cls.advisor)
        cls._debrief(cls._visit(cls.won, PAST), "won", amount=10000)
        cls.back = cls._lead(
            "R2 no-show, reset, lost, rehash, won", cls.radio, cls.advisor
        )
        cls._visit(cls.back, PAST + day).with_user(
            cls.coordinator
        ).action_mark_no_show()
        reset = cls._visit(cls.back, PAST + 2 * day)
        cls._debrief(reset, "lost", reason=cls.too_expensive)
        cls.back.toggle_active()
        rehash = cls._visit(cls.back, PAST + 3 * day)
        cls._debrief(rehash, "won", amount=8000)
        cls.upcoming = cls._lead("R3 upcoming", cls.radio, cls.advisor_2)
        cls._visit(cls.upcoming, datetime(2031, 3, 3, 9), advisor=cls.advisor_2)
        cls.fresh = cls._lead("R4 not set yet", cls.radio, cls.advisor_2)
        cls.cancelled = cls._lead("R5 cancelled", cls.radio, cls.advisor)
        cls._visit(cls.cancelled, PAST + 7 * day).with_user(
            cls.coordinator
        ).action_archive()
        # Signs: one lead last month, one this month demoed and abandoned.
        cls.last_month = cls._lead("S1 last month", cls.signs, cls.advisor)
        cls.abandoned = cls._lead("S2 abandoned", cls.signs, cls.advisor)
        cls._debrief(cls._visit(cls.abandoned, PAST + 8 * day), "abandon")
        # Web: one lead, nobody booked.
        cls.web_lead = cls._lead("W1", cls.web, cls.advisor_2)
        cls.env.flush_all()
        cls.this_month = fields.Date.today().replace(day=1)
        cls.previous_month = cls.this_month - relativedelta(months=1)
        cls.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s",
            (
                datetime.combine(cls.previous_month, datetime.min.time()),
                cls.last_month.id,
            ),
        )
        Cost = cls.env["sales.source.cost"].with_user(cls.manager)
        # Radio: the whole spend of the month; signs: only last month's (partial);
        # web: a line of zero.
        cls.radio_cost = Cost.create(
            {"source_id": cls.radio.id, "month": cls.this_month, "amount": 1000}
        )
        Cost.create(
            {"source_id": cls.signs.id, "month": cls.previous_month, "amount": 300}
        )
        Cost.create({"source_id": cls.web.id, "month": cls.this_month, "amount": 0})
        cls.env.invalidate_all()

    MEASURES = (
        "lead_count",
        "set_count",
        "issued_count",
        "demoed_count",
        "sold_count",
        "reset_count",
        "rehash_count",
        "revenue",
    )
    RATIOS = ("set_rate", "issue_rate", "demo_rate", "close_rate", "conversion_rate")
    COSTS = ("spend", "cost_per_lead", "cost_per_issued", "cost_per_sale", "roi")

    def _funnel(self, user=None, groupby=("source_id",), measures=None):
        Report = self.env["sales.report.funnel"]
        if user:
            Report = Report.with_user(user)
        measures = measures or self.MEASURES + self.RATIOS + self.COSTS
        groups = Report.read_group(
            [("source_id", "in", self.sources.ids)],
            [f"{name}:sum" for name in measures],
            list(groupby),
            lazy=False,
        )
        return {
            tuple(
                group[key][1] if isinstance(group[key], tuple) else group[key]
                for key in groupby
            ): tuple(group[name] for name in measures)
            for group in groups
        }

    def test_funnel_columns(self):
        rows = self._funnel(measures=self.MEASURES)
        # leads, set, issued, demoed, sold, resets, rehashes, revenue
        self.assertEqual(rows[("Radio (funnel)",)], (5, 4, 2, 2, 2, 1, 1, 18000))
        self.assertEqual(rows[("Signs (funnel)",)], (2, 1, 1, 1, 0, 0, 0, 0))
        self.assertEqual(rows[("Web (funnel)",)], (1, 0, 0, 0, 0, 0, 0, 0))
        # The lead's own columns say the same.
        self.assertEqual(
            (self.back.sales_appointment_count, self.back.sales_reset_count),
            (3, 1),
        )
        self.assertFalse(self.cancelled.sales_issued_date)
        self.assertTrue(self.cancelled.sales_is_set)

    def test_a_debriefed_visit_cancelled_afterwards_was_issued(self):
        visit = self.won.calendar_event_ids
        visit.with_user(self.coordinator).action_archive()
        self.assertEqual(self.won.sales_appointment_count, 0)
        self.assertEqual(self.won.sales_issued_date, visit.start)
        rows = self._funnel(measures=("issued_count", "demoed_count"))
        self.assertEqual(rows[("Radio (funnel)",)], (2, 2))

    def test_conversions(self):
        rows = self._funnel(measures=self.RATIOS)
        # set/leads, issued/set, demoed/issued, sold/demoed, sold/leads (%)
        self.assertEqual(rows[("Radio (funnel)",)], (80.0, 50.0, 100.0, 100.0, 40.0))
        self.assertEqual(rows[("Signs (funnel)",)], (50.0, 100.0, 100.0, 0.0, 0.0))
        # Nothing set, issued or demoed: empty, not a division by zero.
        self.assertEqual(rows[("Web (funnel)",)], (0.0, False, False, False, 0.0))

    def test_cost_and_roi(self):
        rows = self._funnel(user=self.manager, measures=self.COSTS)
        # spend, per lead, per issued, per sale, ROI
        self.assertEqual(rows[("Radio (funnel)",)], (1000, 200.0, 500.0, 500.0, 18.0))
        # Partial: last month's spend over both months' leads; no sale, no ROI
        # beyond zero.
        self.assertEqual(rows[("Signs (funnel)",)], (300, 150.0, 300.0, False, 0.0))
        # A line of zero: costs of zero, and no ROI rather than a division by zero.
        self.assertEqual(rows[("Web (funnel)",)], (0, 0.0, False, False, False))

    def test_a_row_reads_zero_and_averages_count_it(self):
        # A lead's row lacks what it never reached; it reads 0, and an average,
        # a smallest or a largest value counts it as 0.
        Report = self.env["sales.report.funnel"].with_user(self.manager)
        row = Report.search([("lead_id", "=", self.web_lead.id)])
        self.assertEqual(
            (row.lead_count, row.set_count, row.reset_count, row.revenue, row.spend),
            (1, 0, 0, 0, 0),
        )
        line = Report.search([("lead_id", "=", False), ("source_id", "=", self.web.id)])
        self.assertEqual((line.lead_count, line.spend_line_count), (0, 1))
        [radio] = Report.read_group(
            [("source_id", "=", self.radio.id), ("lead_id", "!=", False)],
            ["set_count:avg", "sold_count:min", "reset_count:max", "revenue:avg"],
            [],
            lazy=False,
        )
        # Five leads: four set, one never sold, one reset, 18,000 over five.
        self.assertEqual(
            (
                radio["set_count"],
                radio["sold_count"],
                radio["reset_count"],
                radio["revenue"],
            ),
            (0.8, 0, 1, 3600),
        )

    def test_by_month(self):
        rows = self._funnel(
            user=self.manager,
            groupby=("source_id", "date:month"),
            measures=("lead_count", "spend", "cost_per_lead"),
        )
        months = {(source, label): values for (source, label), values in rows.items()}
        signs = {
            label: values
            for (source, label), values in months.items()
            if source == "Signs (funnel)"
        }
        self.assertEqual(sorted(signs.values()), [(1, 0, False), (1, 300, 300.0)])

    def test_month_of_the_day_in_every_time_zone(self):
        # A lead sits in the month of the day it came in (UTC), a line of spend
        # in its own month, whatever the time zone of the manager grouping them
        # by month: as the dates grouped by month one by one.
        border = self.env["utm.source"].create({"name": "Border (funnel)"})
        late = self._lead("B1 last hour of January", border, self.advisor)
        early = self._lead("B2 first hour of February", border, self.advisor)
        self.env.flush_all()
        for lead, created in (
            (late, datetime(2026, 1, 31, 23, 30)),
            (early, datetime(2026, 2, 1, 0, 30)),
        ):
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = %s WHERE id = %s",
                (created, lead.id),
            )
        Cost = self.env["sales.source.cost"].with_user(self.manager)
        Cost.create({"source_id": border.id, "month": "2026-02-01", "amount": 250})
        self.env.invalidate_all()
        domain = [("source_id", "=", border.id)]
        for tz in ("Pacific/Pago_Pago", "UTC", "Pacific/Kiritimati"):
            report = (
                self.env["sales.report.funnel"]
                .with_user(self.manager)
                .with_context(tz=tz)
            )
            by_month = report._read_group(
                domain, ["date:month"], ["lead_count:sum", "spend:sum"]
            )
            one_by_one = {}
            for row in report.search(domain):
                month = row.date.replace(day=1)
                leads, spend = one_by_one.get(month, (0, 0))
                one_by_one[month] = (leads + row.lead_count, spend + row.spend)
            self.assertEqual(
                by_month,
                [
                    (fields.Date.to_date("2026-01-01"), 1, 0),
                    (fields.Date.to_date("2026-02-01"), 1, 250),
                ],
                tz,
            )
            self.assertEqual(
                {month: values for month, *values in by_month},
                {month: list(values) for month, values in one_by_one.items()},
                tz,
            )

    def test_advisor_sees_own_rows_and_no_spend(self):
        rows = self._funnel(user=self.advisor, measures=self.MEASURES)
        # Radio: R1, R2, R5 are the advisor's.
        self.assertEqual(rows[("Radio (funnel)",)], (3, 3, 2, 2, 2, 1, 1, 18000))
        self.assertNotIn(("Web (funnel)",), rows)
        Report = self.env["sales.report.funnel"].with_user(self.advisor)
        self.assertFalse(Report.search([("lead_id", "=", False)]))
        with self.assertRaises(AccessError):
            self._funnel(user=self.advisor, measures=("cost_per_lead",))
        with self.assertRaises(AccessError):
            self._funnel(user=self.advisor, measures=("spend",))
        with self.assertRaises(AccessError):
            self.env["sales.source.cost"].with_user(self.advisor).search([])

    def test_views_show_spend_to_managers_only(self):
        cases = ((self.advisor, False), (self.coordinator, False), (self.manager, True))
        for user, shown in cases:
            Report = self.env["sales.report.funnel"].with_user(user)
            views = Report.get_views([(False, "pivot"), (False, "list")])
            pivot = views["views"]["pivot"]["arch"]
            for name in ("spend", "cost_per_lead", "cost_per_sale", "roi"):
                self.assertEqual(f'name="{name}"' in pivot, shown, (user.login, name))
            self.assertEqual('name="spend"' in views["views"]["list"]["arch"], shown)
            fields = views["models"]["sales.report.funnel"]["fields"]
            self.assertEqual("spend" in fields, shown)

    def test_coordinator_sees_their_advisors_rows_and_no_spend(self):
        rows = self._funnel(user=self.coordinator, measures=("lead_count",))
        self.assertEqual(rows[("Radio (funnel)",)], (3,))
        self.assertEqual(rows[("Signs (funnel)",)], (2,))
        self.assertNotIn(("Web (funnel)",), rows)
        with self.assertRaises(AccessError):
            self._funnel(user=self.coordinator, measures=("roi",))

    def test_shared_call_pool_coordinator_sees_every_lead_and_no_spend(self):
        self.company.sales_shared_queue = True
        rows = self._funnel(user=self.coordinator, measures=("lead_count",))
        self.assertEqual(rows[("Web (funnel)",)], (1,))
        self.assertEqual(rows[("Radio (funnel)",)], (5,))
        Report = self.env["sales.report.funnel"].with_user(self.coordinator)
        self.assertFalse(Report.search([("lead_id", "=", False)]))
        by_source = self.env["sales.report.source"].with_user(self.coordinator)
        self.assertEqual(
            by_source.search_count([("source_id", "in", self.sources.ids)]), 8
        )

    def test_other_company_sees_nothing(self):
        rows = self._funnel(user=self.manager_c2, measures=("lead_count", "spend"))
        self.assertEqual(rows, {})
        Cost = self.env["sales.source.cost"].with_user(self.manager_c2)
        self.assertFalse(Cost.search([("source_id", "in", self.sources.ids)]))

    def test_pivot_query_count_does_not_grow_with_leads(self):
        measures = self.MEASURES + self.RATIOS + self.COSTS
        groupby = ("source_id", "date:month")
        self._funnel(user=self.manager, groupby=groupby, measures=measures)
        with self.assertQueryCount(1):
            self._funnel(user=self.manager, groupby=groupby, measures=measures)
        for number in range(30):
            self._lead(f"R{number} more", self.radio, self.advisor)
        self.env.flush_all()
        with self.assertQueryCount(1):
            rows = self._funnel(
                user=self.manager, groupby=groupby, measures=("lead_count",)
            )
        self.assertEqual(sum(values[0] for values in rows.values()), 38)

    def test_funnel_picture(self):
        Step = self.env["sales.report.funnel.step"].with_user(self.manager)
        groups = Step.read_group(
            [("source_id", "=", self.radio.id)], ["count:sum"], ["step"], lazy=False
        )
        self.assertEqual(
            [(group["step"], group["count"]) for group in groups],
            [
                ("1_lead", 5),
                ("2_set", 4),
                ("3_issued", 2),
                ("4_demoed", 2),
                ("5_sold", 2),
            ],
        )
        with self.assertRaises(AccessError):
            self.env["sales.report.funnel.step"].with_user(self.coordinator).search([])


@tagged("post_install", "-at_install")
class TestMarketingSpend(FunnelCommon):
    """Managers enter or import what each source cost in a month."""

    def setUp(self):
        super().setUp()
        self.Cost = self.env["sales.source.cost"].with_user(self.manager)

    def test_month_is_its_first_day(self):
        cost = self.Cost.create(
            {"source_id": self.source.id, "month": "2026-05-17", "amount": 250}
        )
        self.assertEqual(cost.month, fields.Date.to_date("2026-05-01"))
        self.assertEqual(cost.currency_id, self.company.currency_id)
        self.assertEqual(cost.display_name, f"{self.source.name} 2026-05")

    def test_import_from_a_spreadsheet(self):
        self.env["utm.source"].create({"name": "Radio (import)"})
        result = self.Cost.load(
            ["source_id", "month", "amount"],
            [
                ["Radio (import)", "2026-04-01", "1200"],
                ["Radio (import)", "2026-05-01", "900.50"],
            ],
        )
        self.assertFalse(result["messages"])
        costs = self.Cost.browse(result["ids"])
        self.assertEqual(costs.mapped("amount"), [1200.0, 900.5])

    def test_bad_input(self):
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.Cost.create(
                {"source_id": self.source.id, "month": "2026-05-01", "amount": -5}
            )
        with self.assertRefused(ValidationError, "Say what the money was spent on"):
            self.Cost.create({"month": "2026-05-01", "amount": 5})
        self.Cost.create(
            {"source_id": self.source.id, "month": "2026-05-01", "amount": 5}
        )
        with self.assertRefused(ValidationError, "already entered"):
            self.Cost.create(
                {"source_id": self.source.id, "month": "2026-05-20", "amount": 7}
            )
        june = self.Cost.create(
            {"source_id": self.source.id, "month": "2026-06-01", "amount": 5}
        )
        with self.assertRefused(ValidationError, "already entered"):
            june.month = "2026-05-09"
        with self.assertRefused(ValidationError, "already entered"):
            self.Cost.create(
                [
                    {"source_id": self.source.id, "month": "2026-07-01", "amount": 1},
                    {"source_id": self.source.id, "month": "2026-07-02", "amount": 2},
                ]
            )
        self.assertFalse(
            self.env["sales.source.cost"].search(
                [("source_id", "=", self.source.id), ("month", "=", "2026-07-01")]
            )
        )
        # The same month for a campaign of that source is another line.
        campaign = self.env["utm.campaign"].create({"name": "Spring (funnel)"})
        self.Cost.create(
            {
                "source_id": self.source.id,
                "campaign_id": campaign.id,
                "month": "2026-05-01",
                "amount": 3,
            }
        )
        self.assertEqual(
            self.env["sales.source.cost"].search_count(
                [("source_id", "=", self.source.id)]
            ),
            3,
        )

    def test_only_managers(self):
        for user in (self.coordinator, self.advisor):
            with self.assertRaises(AccessError):
                self.env["sales.source.cost"].with_user(user).create(
                    {"source_id": self.source.id, "month": "2026-05-01", "amount": 5}
                )
