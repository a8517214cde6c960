from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.sales_followup import OPEN_STATES
from .common import SalesCoordinationCommon

# Monday 2031-03-03 10:00 UTC.
NOW = datetime(2031, 3, 3, 10, 0)


class FollowupCommon(SalesCoordinationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Followup = cls.env["sales.followup"]
        # Demo data or other addons may have queued calls: start from none.
        cls.Followup.search([("state", "in", OPEN_STATES)]).write(
            {"state": "cancelled"}
        )

    @classmethod
    def _followup(cls, lead=None, kind="quote", start=None, hours=4, **values):
        start = start or NOW - timedelta(hours=1)
        with freeze_time(NOW):
            return cls.Followup.create(
                {
                    "lead_id": (lead or cls.lead).id,
                    "kind": kind,
                    "window_start": start,
                    "window_end": start + timedelta(hours=hours),
                    **values,
                }
            )

    def _claim(self, user, at=NOW):
        with freeze_time(at):
            return self.Followup.with_user(user).claim_next()


@tagged("post_install", "-at_install")
class TestFollowupClaim(FollowupCommon):
    """Next call hands the most urgent due call to one coordinator: their own
    advisors' first, then those they back up, then (setting) everybody's."""

    def test_most_urgent_due_call_first(self):
        quote = self._followup()
        callback = self._followup(kind="callback")
        self._followup(kind="callback", start=NOW + timedelta(hours=2))  # not due
        self.assertGreater(callback.priority_score, quote.priority_score)
        claimed = self._claim(self.coordinator)
        self.assertEqual(claimed, callback)
        self.assertEqual(claimed.state, "claimed")
        self.assertEqual(claimed.claimed_by_id, self.coordinator)
        self.assertEqual(claimed.claim_expires_at, NOW + timedelta(minutes=15))

    def test_one_call_at_a_time(self):
        first = self._followup(kind="callback")
        self._followup()
        self.assertEqual(self._claim(self.coordinator), first)
        # Pressing again (or Odoo retrying the request) returns the same call.
        self.assertEqual(self._claim(self.coordinator), first)
        self.assertEqual(
            self.Followup.search_count([("claimed_by_id", "=", self.coordinator.id)]),
            1,
        )

    def test_scope_own_then_backup_then_shared(self):
        own = self._followup(lead=self.lead)
        other = self._followup(lead=self.lead_2, kind="callback")  # Otto's advisor
        self.assertEqual(self._claim(self.coordinator), own)
        own.with_user(self.coordinator).action_release()
        # Bea backs Ada up: she gets Ada's call, never Otto's while sharing is off.
        self.assertEqual(self._claim(self.backup_coordinator), own)
        own.with_user(self.backup_coordinator).action_release()
        with freeze_time(NOW):
            own.with_user(self.coordinator).action_log_call("connected", "done")
        self.assertFalse(self._claim(self.coordinator), "sharing is off by default")
        self.company.sales_shared_queue = True
        self.assertEqual(self._claim(self.coordinator), other)
        # Shared: coordinators cover each other and see the lead they call.
        self.assertTrue(other.with_user(self.coordinator).lead_id.name)

    def test_unassigned_lead_of_my_intake(self):
        self.lead_unassigned.coordinator_id = self.coordinator
        followup = self._followup(lead=self.lead_unassigned, kind="callback")
        self.assertFalse(self._claim(self.other_coordinator))
        self.assertEqual(self._claim(self.coordinator), followup)

    def test_claimed_call_is_nobody_elses_until_the_lease_ends(self):
        self.company.sales_shared_queue = True
        followup = self._followup(kind="callback")
        self.assertEqual(self._claim(self.coordinator), followup)
        self.assertFalse(
            self._claim(self.backup_coordinator, NOW + timedelta(minutes=5))
        )
        with (
            freeze_time(NOW + timedelta(minutes=5)),
            self.assertRefused(UserError, "is calling"),
        ):
            followup.with_user(self.backup_coordinator).action_log_call("no_answer")
        self.assertFalse(followup.call_ids)
        # The claim was never finished: after the lease it returns to the queue.
        later = NOW + timedelta(minutes=16)
        with freeze_time(later):
            self.assertTrue(followup.is_due)
        self.assertEqual(self._claim(self.backup_coordinator, later), followup)
        self.assertEqual(followup.claimed_by_id, self.backup_coordinator)

    def test_advisor_and_salesman_refused(self):
        self._followup(kind="callback")
        for user in (self.advisor, self.salesman):
            with self.assertRefused(AccessError, "made by the coordinators"):
                self._claim(user)
        self.assertEqual(
            self.Followup.search([("lead_id", "=", self.lead.id)]).mapped("state"),
            ["queued"],
        )

    def test_other_company_never(self):
        self.company.sales_shared_queue = True
        self.company_2.sales_shared_queue = True
        mine = self._followup(lead=self.lead_c2, kind="callback")
        self.assertFalse(self._claim(self.coordinator))
        self.assertEqual(self._claim(self.coordinator_c2), mine)

    def test_done_and_cancelled_are_never_handed_out(self):
        self._followup(state="done")
        self._followup(state="cancelled")
        self.assertFalse(self._claim(self.coordinator))

    def test_next_call_action(self):
        with freeze_time(NOW):
            action = self.Followup.with_user(self.coordinator).action_next_call()
        self.assertEqual(action["tag"], "display_notification")
        followup = self._followup(kind="callback")
        with freeze_time(NOW):
            action = self.Followup.with_user(self.coordinator).action_next_call()
        self.assertEqual(action["res_model"], "sales.call.outcome")
        self.assertEqual(action["context"]["default_followup_id"], followup.id)

    def test_release(self):
        followup = self._followup(kind="callback")
        self._claim(self.coordinator)
        with self.assertRefused(UserError, "is calling"):
            followup.with_user(self.backup_coordinator).action_release()
        followup.with_user(self.coordinator).action_release()
        self.assertEqual(followup.state, "queued")
        self.assertFalse(followup.claimed_by_id)


@tagged("post_install", "-at_install")
class TestFollowupQueueView(FollowupCommon):
    """The queue's first page costs the same few queries however long it is."""

    SPEC = {
        "priority_stars": {},
        "priority_reason": {},
        "kind": {},
        "lead_id": {"fields": {"display_name": {}}},
        "partner_id": {"fields": {"display_name": {}}},
        "phone": {},
        "window_label": {},
        "advisor_id": {"fields": {"display_name": {}}},
        "attempt_count": {},
        "claimed_by_id": {"fields": {"display_name": {}}},
        "state": {},
        "is_due": {},
        "is_overdue": {},
        "is_open": {},
    }

    def _first_page(self):
        self.env.invalidate_all()
        # The queue's "Open" filter.
        return self.Followup.with_user(self.coordinator).web_search_read(
            [("is_open", "=", True)], self.SPEC, limit=80
        )

    def test_a_held_call_is_not_due_in_the_list_either(self):
        """The list's Due Now says what Next call and the board say: a call the
        dialer held (outside the customer's hours) waits until its hold ends."""
        held = self._followup()
        other = self._followup(lead=self.lead_unassigned)
        with freeze_time(NOW):
            held._sales_hold(NOW + timedelta(hours=2), "It is 06:00 for the customer.")
            Followup = self.Followup.with_user(self.coordinator)
            self.assertEqual(
                Followup.search(
                    [("id", "in", (held | other).ids), ("is_due", "=", True)]
                ),
                other,
            )
            self.assertEqual((held | other).mapped("is_due"), [False, True])
            self.assertEqual(Followup.claim_next(), other)
        with freeze_time(NOW + timedelta(hours=2, minutes=1)):
            held.invalidate_recordset(["is_due"])
            self.assertTrue(held.is_due)
            self.assertIn(held, Followup.search([("is_due", "=", True)]))

    def test_my_advisors_are_the_calls_next_call_gives_me(self):
        """The queue's default filter, My Advisors, lists the calls Next call
        hands the coordinator as their own or as a backup: a call of a lead
        they coordinate whose advisor has another coordinator is that
        coordinator's (queue_coordinator_id)."""
        arch = etree.fromstring(
            self.env.ref("sales_coordination.sales_followup_view_search").arch
        )
        [node] = arch.xpath("//filter[@name='my_advisors']")
        theirs = self._followup()  # the advisor's coordinator: Cody
        self.lead_2.coordinator_id = self.coordinator
        other = self._followup(lead=self.lead_2)  # Cody's lead, another's advisor
        self.assertEqual(theirs.queue_coordinator_id, self.coordinator)
        self.assertNotEqual(other.queue_coordinator_id, self.coordinator)
        for user, expected in (
            (self.coordinator, theirs),
            (other.queue_coordinator_id, other),
        ):
            domain = safe_eval(node.get("domain"), {"uid": user.id})
            found = self.Followup.with_user(user).search(
                [("id", "in", (theirs | other).ids), *domain]
            )
            self.assertEqual(found, expected, user.name)

    def test_open_is_queued_or_being_made(self):
        claimed = self._followup()
        self.assertEqual(self._claim(self.coordinator), claimed)
        queued = self._followup(lead=self.lead_unassigned)
        done = self._followup(lead=self.lead_2)
        done._sales_close("done")
        calls = claimed | queued | done
        self.assertEqual(calls.mapped("state"), ["claimed", "queued", "done"])
        self.assertEqual(calls.mapped("is_open"), [True, True, False])
        Followup = self.Followup
        for domain, expected in (
            ([("is_open", "=", True)], claimed | queued),
            ([("is_open", "!=", False)], claimed | queued),
            ([("is_open", "=", False)], done),
            ([("is_open", "!=", True)], done),
        ):
            found = Followup.search([("id", "in", calls.ids), *domain])
            self.assertEqual(found, expected, domain)
        with self.assertRaisesRegex(UserError, "Search “Open” with yes or no"):
            Followup.search([("is_open", "in", [True])])

    def test_first_page_query_count(self):
        leads = self.env["crm.lead"].create(
            [{"name": f"Caller {i}", "user_id": self.advisor.id} for i in range(40)]
        )
        for lead in leads[:3]:
            self._followup(lead=lead)
        self._first_page()  # warm the caches that live across requests
        # The 8th reads the companies (their shared call pool, in the rules); the
        # 9th and 10th the currency of the quotes' amounts in the reasons; the
        # 11th the leads' calls, once for the page (the unanswered streaks).
        with self.assertQueryCount(11):
            page = self._first_page()
        self.assertEqual(page["length"], 3)
        for lead in leads[3:]:
            self._followup(lead=lead)
        with self.assertQueryCount(11):
            page = self._first_page()
        self.assertEqual(page["length"], 40)
