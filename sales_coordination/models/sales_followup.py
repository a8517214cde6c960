import logging
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, clean_context, plaintext2html
from odoo.tools.sql import create_index

from ..tools import priority
from ..tools.replica import on_primary
from ..tools.side_effect import side_effect
from .sales_workflow_mixin import EMPTY

_logger = logging.getLogger(__name__)

KINDS = [
    ("quote", "Quote Follow-up"),
    ("callback", "Callback"),
    ("confirmation", "Appointment Confirmation"),
    ("happy_call", "Happy Call"),
    ("reset", "Reset (Rebook After a No-show)"),
    ("rehash", "Rehash (Another Visit)"),
]
# What a coordinator may say of a call that reached the customer.
OUTCOMES = ("booked", "later", "won", "lost", "done")
# What a call that reached the customer may come to, by kind of call: a
# confirmation is confirmed ("done"), moved ("booked" again) or cancelled
# ("lost"); it sells nothing and asks for no callback.
KIND_OUTCOMES = {
    "quote": ("booked", "later", "won", "lost", "done"),
    "callback": ("booked", "later", "won", "lost", "done"),
    "confirmation": ("done", "booked", "lost"),
    "happy_call": ("done", "later"),
    "reset": ("booked", "later", "lost", "done"),
    "rehash": ("booked", "later", "won", "lost", "done"),
}
# A call that tried the customer and did not reach them: an attempt.
UNANSWERED = ("no_answer", "voicemail")
OPEN_STATES = ("queued", "claimed")
# A callback after a missed call or a web form: due at once, for this long.
CALLBACK_HOURS = 4
# A call to rebook a visit (after a no-show or a declined invitation): due at
# once, for this long.
RESET_DAYS = timedelta(days=2)
# Kinds whose purpose does not pass with time (a confirmation's passes when its
# visit starts).
PURPOSE_AHEAD_KINDS = tuple(kind for kind, _label in KINDS if kind != "confirmation")
# First key of the advisory lock that lines up one coordinator's own presses of
# Next call (the second key is their user id).
CLAIM_LOCK = 0x5C_C1A1
# When every claimable call in reach is locked for a moment (another claim, a
# batch of the upkeep), Next call looks again, at growing pauses up to
# CLAIM_PAUSE_MAX, for as long as CLAIM_PATIENCE (seconds), rather than answer
# that nothing is due. A fixed number of looks was too short on a loaded
# server: an upkeep batch held its rows longer than they lasted, and
# coordinators were told that nothing was due while calls waited.
CLAIM_PAUSE = 0.02
CLAIM_PAUSE_MAX = 0.2
CLAIM_PATIENCE = 5.0
# Where Next call looks, in this order: the coordinator's own advisors' calls
# (the lead's coordinator's when no advisor has it), those of the advisors they
# back up, the shared pool, the calls that belong to nobody.
CLAIM_SCOPES = ("own", "backed_up", "shared", "unowned")
# Stand-ins that the claim's SQL is composed for once per process, and that each
# press replaces with its own values (see ``_claim_statement``).
STAND_IN_AT = datetime(1900, 1, 1, 0, 0, 7)
STAND_IN_AT_TEXT = "1900-01-01 00:00:07"
STAND_IN_UID = -1_000_000_007
STAND_IN_COMPANY = -1_000_000_009
STAND_IN_COMPANIES = (-1_000_000_011,)
# The stored parts of a call's priority (see tools/priority.py).


class SalesFollowup(models.Model):
    """A call the coordinators owe a customer, in a window agreed with them."""

    _name = "sales.followup"
    _inherit = ["sales.workflow.mixin"]
    _description = "Follow-up Call"
    # The order of priority_score on any day (see tools/priority.py).
    _order = "priority_tier desc, priority_key desc, window_start, id"
    _rec_name = "lead_id"
    # The queue's own fields: only this model's methods below move them.
    _sales_workflow_fields = {
        "state": frozenset({"queued"}),
        "claimed_by_id": EMPTY,
        "claim_expires_at": EMPTY,
        "held_until": EMPTY,
        "priority_score": EMPTY,
        "priority_tier": EMPTY,
        "priority_base": EMPTY,
        "priority_rate": EMPTY,
        "priority_key": EMPTY,
        "is_inbound": EMPTY,
        "attempt_count": EMPTY,
        "escalated": EMPTY,
        "queue_coordinator_id": EMPTY,
        # Who and what the call is about: set when it is queued, moved only by
        # the queue (a follow-up without a company is every coordinator's).
        "lead_id": None,
        "company_id": EMPTY,
        "coordinator_id": EMPTY,
        "advisor_id": EMPTY,
        "visit_start": EMPTY,
        "event_id": EMPTY,
        "debrief_id": EMPTY,
    }

    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="lead_id.partner_id", string="Customer")
    phone = fields.Char(related="lead_id.phone")
    perceived_need = fields.Text(related="lead_id.perceived_need")
    urgency = fields.Selection(related="lead_id.urgency")
    advisor_id = fields.Many2one(
        related="lead_id.user_id", string="Advisor", store=True, index=True
    )
    coordinator_id = fields.Many2one(
        related="lead_id.coordinator_id", string="Coordinator", store=True
    )
    queue_coordinator_id = fields.Many2one(
        "res.users",
        string="In the Queue Of",
        compute="_compute_queue_coordinator_id",
        store=True,
        copy=False,
        help="The advisor's coordinator, or the lead's when no advisor has it yet: "
        "Next call hands them this call first.",
    )
    kind = fields.Selection(KINDS, required=True, default="callback", index=True)
    is_inbound = fields.Boolean(
        string="Missed Call or Web Form",
        readonly=True,
        copy=False,
        help="Queued by a missed call or a web form: called before anything else.",
    )
    window_start = fields.Datetime(
        required=True, index=True, default=fields.Datetime.now
    )
    window_end = fields.Datetime(
        required=True, default=lambda self: fields.Datetime.now() + timedelta(hours=4)
    )
    window_label = fields.Char(
        string="When",
        compute="_compute_window_label",
        help="The window agreed with the customer: the day and the part of the day, "
        "in your time zone. The exact bounds are on the call's form.",
    )
    quote_date = fields.Datetime(
        default=fields.Datetime.now,
        help="When the customer got the quote (or asked for the call): each day "
        "since lowers the priority.",
    )
    priority_score = fields.Float(
        string="Priority",
        compute="_compute_priority_score",
        search="_search_priority_score",
        readonly=True,
        help="Higher is called first: missed calls and web forms, then callbacks "
        "and resets, then confirmations, then the rest; within each, value x "
        "probability weighed by urgency, less what each day since the quote "
        "costs. Computed for the moment it is read.",
    )
    priority_stars = fields.Selection(
        [
            ("0", "Quote, Happy Call or Rehash"),
            ("1", "Visit to Confirm"),
            ("2", "Callback or Rebooking"),
            ("3", "Missed Call or Web Form"),
        ],
        string="Comes First",
        compute="_compute_priority_reason",
        help="The tier that decides first: the more stars, the sooner.",
    )
    priority_reason = fields.Char(
        string="Why Now",
        compute="_compute_priority_reason",
        help="Why this call comes where it does in the queue.",
    )
    # What the priority of any day follows from, fixed when the call is queued
    # (and when its lead's value, probability or urgency change): nothing
    # rewrites the queue as the days go by.
    priority_tier = fields.Integer(
        compute="_compute_priority", store=True, readonly=True, copy=False
    )
    priority_base = fields.Float(
        string="Value Points",
        compute="_compute_priority",
        store=True,
        readonly=True,
        copy=False,
        help="Value x probability weighed by urgency, on the day of the quote.",
    )
    priority_rate = fields.Float(
        string="Points Lost a Day",
        compute="_compute_priority",
        store=True,
        readonly=True,
        copy=False,
        help="What each day since the quote costs, from the company's daily decay.",
    )
    priority_key = fields.Float(
        string="Ordering Key",
        compute="_compute_priority",
        store=True,
        readonly=True,
        copy=False,
        help="The day (since 1970) the value points run out: Next call's order "
        "within a tier, the same on every day.",
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("claimed", "Claimed"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="queued",
        index=True,
        readonly=True,
        copy=False,
    )
    claimed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    claim_expires_at = fields.Datetime(readonly=True, copy=False)
    held_until = fields.Datetime(
        readonly=True,
        copy=False,
        help="Next call does not hand it out before then: the dialer could not "
        "make the call (outside the customer's calling hours, a number to fix or "
        "not to dial); the lead's chatter says why.",
    )
    attempt_count = fields.Integer(
        string="Attempts",
        readonly=True,
        copy=False,
        help="The calls of this follow-up that did not reach the customer (no "
        "answer, voicemail), counted as the queue logs them.",
    )
    lead_attempt_count = fields.Integer(
        string="Unanswered in a Row",
        compute="_compute_lead_attempt_count",
        help="The calls made to the customer since they were last reached that "
        "did not reach them (no answer, voicemail), however they were logged: "
        "this call's and the lead's others, as its history shows them.",
    )
    escalated = fields.Boolean(
        readonly=True,
        copy=False,
        help="Unanswered too many times: the manager was told.",
    )
    call_ids = fields.One2many("sales.call", "followup_id", string="Calls")
    debrief_id = fields.Many2one(
        "sales.debrief", string="From Debrief", index="btree_not_null", readonly=True
    )
    event_id = fields.Many2one(
        "calendar.event",
        string="Appointment to Confirm",
        index="btree_not_null",
        # The calls made about a visit outlive it: a deleted appointment leaves
        # them without it (see calendar.event.unlink, which ends the open ones).
        ondelete="set null",
        readonly=True,
    )
    visit_start = fields.Datetime(
        related="event_id.start",
        store=True,
        string="Visit Starts",
        help="A confirmation call has no purpose once its visit has started.",
    )
    note = fields.Text()
    is_due = fields.Boolean(
        string="Due Now", compute="_compute_is_due", search="_search_is_due"
    )
    is_overdue = fields.Boolean(compute="_compute_is_due", search="_search_is_overdue")
    is_later_today = fields.Boolean(
        compute="_compute_is_due", search="_search_is_later_today"
    )
    is_open = fields.Boolean(
        string="Open",
        compute="_compute_is_open",
        search="_search_is_open",
        help="Queued or being made: the call is still to be made (OPEN_STATES).",
    )

    def init(self):
        # Next call walks these in priority order and stops at the first free row.
        where = "state IN ('queued', 'claimed')"
        order = ["priority_tier DESC", "priority_key DESC", "window_start", "id"]
        create_index(
            self.env.cr, "sales_followup_queue_index", self._table, order, where=where
        )
        create_index(
            self.env.cr,
            "sales_followup_advisor_queue_index",
            self._table,
            ["advisor_id", *order[:2]],
            where=where,
        )
        create_index(
            self.env.cr,
            "sales_followup_queue_coordinator_index",
            self._table,
            ["queue_coordinator_id", *order],
            where=where,
        )
        create_index(
            self.env.cr,
            "sales_followup_claimed_index",
            self._table,
            ["claimed_by_id"],
            where="state = 'claimed'",
        )

    @api.depends(
        "lead_id.call_ids.direction",
        "lead_id.call_ids.result",
        "lead_id.call_ids.call_date",
    )
    def _compute_lead_attempt_count(self):
        # Read from the lead's history when shown, never stored: a call logged
        # on a lead writes none of its follow-ups (a stored count would rewrite
        # every follow-up of the lead at each call, against the queue's upkeep).
        streaks = self._sales_unanswered_streaks()
        for followup in self:
            followup.lead_attempt_count = streaks.get(followup.lead_id._origin.id, 0)

    def _sales_unanswered_streaks(self):
        """{lead id: how many calls to the customer did not reach them since they
        were last reached} for these follow-ups' leads, in one query over the
        calls the current user sees (those the call screen's history lists)."""
        leads = self.lead_id._origin
        streaks = dict.fromkeys(leads.ids, 0)
        reached = set()
        calls = self.env["sales.call"].search_fetch(
            [("lead_id", "in", leads.ids)],
            ["lead_id", "direction", "result"],
            order="call_date desc, id desc",
        )
        for call in calls:
            lead_id = call.lead_id.id
            if lead_id in reached:
                continue
            if call.result == "connected":
                reached.add(lead_id)
            elif call.direction == "out" and call.result in UNANSWERED:
                streaks[lead_id] += 1
        return streaks

    @api.depends("advisor_id.coordinator_id", "coordinator_id")
    def _compute_queue_coordinator_id(self):
        # In SQL beside it: queue_coordinator_sql, for rows written around the ORM.
        for followup in self:
            followup.queue_coordinator_id = (
                followup.advisor_id.coordinator_id or followup.coordinator_id
            )

    @api.depends(
        "kind",
        "is_inbound",
        "quote_date",
        "lead_id.expected_revenue",
        "lead_id.probability",
        "lead_id.urgency",
    )
    def _compute_priority(self):
        now = fields.Datetime.now()
        for followup in self:
            lead = followup.lead_id
            base = priority.base_points(
                lead.expected_revenue, lead.probability, lead.urgency
            )
            rate = (followup.company_id or self.env.company)._sales_priority_rate()
            followup.priority_tier = priority.tier(followup.kind, followup.is_inbound)
            followup.priority_base = base
            followup.priority_rate = rate
            quoted = priority.quote_moment(
                followup.quote_date, followup.create_date, now
            )
            followup.priority_key = priority.ordering_key(
                base, priority.day_number(quoted), rate
            )

    @api.depends("priority_tier", "priority_key", "priority_rate")
    def _compute_priority_score(self):
        today = priority.day_number(fields.Datetime.now())
        for followup in self:
            followup.priority_score = priority.score_on(
                followup.priority_tier,
                followup.priority_key,
                followup.priority_rate or priority.MIN_DAILY_POINTS,
                today,
            )

    @api.depends("window_start", "window_end", "company_id")
    @api.depends_context("uid", "tz", "lang")
    def _compute_window_label(self):
        for followup in self:
            company = followup.company_id or self.env.company
            followup.window_label = company._sales_describe_window(
                followup.window_start, followup.window_end
            )

    @api.depends(
        "priority_tier",
        "kind",
        "is_inbound",
        "quote_date",
        "window_end",
        "visit_start",
        "event_id.customer_response",
        "lead_attempt_count",
        "lead_id.expected_revenue",
    )
    @api.depends_context("uid", "tz", "lang")
    def _compute_priority_reason(self):
        now = fields.Datetime.now()
        missed = self._sales_missed_call_followups()
        for followup in self:
            followup.priority_stars = str(followup.priority_tier or 0)
            reason = followup._sales_reason(now, missed)
            # The customer's streak, as the call screen's history shows it.
            if followup.lead_attempt_count:
                reason = self.env._(
                    "%(reason)s; %(count)s unanswered",
                    reason=reason,
                    count=followup.lead_attempt_count,
                )
            followup.priority_reason = reason

    def _sales_missed_call_followups(self):
        """Which of these inbound callbacks a missed call queued (the others, a
        web form)."""
        inbound = self.filtered("is_inbound")
        if not inbound:
            return self.browse()
        events = (
            self.env["sales.inbound.event"]
            .sudo()  # which integration queued it is not the point, only its kind
            .search([("followup_id", "in", inbound.ids), ("kind", "=", "call")])
        )
        return events.followup_id

    def _sales_reason(self, now, missed):
        """The short reason shown beside the call in the queue."""
        quoted = priority.quote_moment(self.quote_date, self.create_date, now)
        if self.is_inbound and self.kind == "callback":
            ago = _ago(self.env, now - quoted)
            if self in missed:
                return self.env._("missed call %(ago)s", ago=ago)
            return self.env._("web form %(ago)s", ago=ago)
        if self.kind == "quote":
            lead = self.lead_id
            day = int((now - quoted).total_seconds() // 86400) + 1
            days = max(-(-(self.window_end - quoted).total_seconds() // 86400), day)
            return self.env._(
                "quote of %(amount)s, day %(day)s of %(days)s",
                amount=tools.format_amount(
                    self.env, lead.expected_revenue, lead.company_currency
                ),
                day=day,
                days=int(days),
            )
        if self.kind == "confirmation":
            if not self.visit_start:
                return self.env._("confirm the visit")
            when = self._sales_visit_day(now)
            if self.event_id.customer_response == "accepted":
                return self.env._(
                    "confirm %(when)s's visit (the customer accepted)", when=when
                )
            return self.env._("confirm %(when)s's visit", when=when)
        if self.kind == "reset" and self.is_inbound:
            # Queued by the customer's decline of the invitation.
            return self.env._(
                "declined the visit %(ago)s: book another",
                ago=_ago(self.env, now - quoted),
            )
        if self.kind == "reset":
            return self.env._("missed the visit: book another")
        if self.kind == "happy_call":
            return self.env._("after the job: is the customer happy?")
        if self.kind == "rehash":
            return self.env._("no sale at the visit: offer another")
        return self.env._("asked to be called back")

    def _sales_visit_day(self, now):
        """Today, tomorrow, or the weekday of the visit, in the user's time zone."""
        tz = self.env.user.tz or "UTC"
        visit = fields.Datetime.context_timestamp(
            self.with_context(tz=tz), self.visit_start
        ).date()
        today = fields.Datetime.context_timestamp(self.with_context(tz=tz), now).date()
        if visit == today:
            return self.env._("today")
        if visit == today + timedelta(days=1):
            return self.env._("tomorrow")
        return tools.format_date(self.env, visit, date_format="EEEE d MMM")

    def _search_priority_score(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(
            value, int | float
        ):
            raise UserError(self.env._("Search the priority with a number."))
        today = priority.day_number(fields.Datetime.now())
        score = self._priority_score_sql(SQL.identifier(self._table), today)
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT id FROM sales_followup WHERE %s %s %s)",
                    score,
                    SQL(operator),
                    value,
                ),
            )
        ]

    @api.model
    def _priority_score_sql(self, alias, day):
        """``priority.score_on`` in SQL, for the rows of ``alias``."""
        return priority.score_on_sql(
            SQL("%s.priority_tier", alias),
            SQL("%s.priority_key", alias),
            SQL("%s.priority_rate", alias),
            day,
        )

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        # The score of any day sorts as its tier and key do (and they are
        # indexed): lists sort by it, Next call claims in its order.
        if field_name == "priority_score":
            return SQL(", ").join(
                super(SalesFollowup, self)._order_field_to_sql(
                    alias, name, direction, nulls, query
                )
                for name in ("priority_tier", "priority_key")
            )
        # The queue lists what is due now first ("is_due desc"), the moment of
        # the query deciding; within it and after it, the priority's order.
        if field_name == "is_due":
            due = SQL(
                "(%s <= %s)",
                SQL.identifier(alias, "window_start"),
                fields.Datetime.now(),
            )
            return SQL("%s %s %s", due, direction, nulls)
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    @api.depends(
        "state", "window_start", "window_end", "claim_expires_at", "held_until"
    )
    @api.depends_context("uid")
    def _compute_is_due(self):
        now = fields.Datetime.now()
        today_end = self._user_today_end()
        claimable = self.filtered_domain(self._claimable_domain(now))
        # Due as Next call and the board have it: a held call is not.
        due = claimable.filtered_domain(self._due_domain(now))
        for followup in self:
            open_ = followup in claimable
            followup.is_due = followup in due
            followup.is_overdue = open_ and followup.window_end < now
            followup.is_later_today = open_ and now < followup.window_start < today_end

    @api.depends("state")
    def _compute_is_open(self):
        for followup in self:
            followup.is_open = followup.state in OPEN_STATES

    def _search_is_open(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search “Open” with yes or no."))
        operator = "in" if (operator == "=") == value else "not in"
        return [("state", operator, OPEN_STATES)]

    def _is_claimable(self, now):
        return bool(self.filtered_domain(self._claimable_domain(now)))

    def _user_today_end(self):
        today = fields.Date.context_today(self)
        user = self.env.user
        return self.env.company._sales_local_span(today, 0, 24, user.tz)[1]

    def _claimable_domain(self, now):
        """The one definition of a call Next call may hand out at ``now``: open,
        not held by a running claim, and with its purpose still ahead (a
        confirmation only until its visit starts). Next call's SQL and the
        board are built from it (``_claimable_sql``)."""
        # Written for Next call's planner too: plain comparisons, each a column
        # of the row (kind is required: no test for an empty one).
        return [
            "|",
            ("state", "=", "queued"),
            "&",
            ("state", "=", "claimed"),
            ("claim_expires_at", "<", now),
            "|",
            ("kind", "in", PURPOSE_AHEAD_KINDS),
            ("visit_start", ">", now),
        ]

    def _due_domain(self, now):
        """Claimable and due: its window has begun, and no hold keeps it back."""
        return [
            *self._claimable_domain(now),
            ("window_start", "<=", now),
            "|",
            ("held_until", "=", False),
            ("held_until", "<=", now),
        ]

    @api.model
    def _claimable_sql(self, now, due=True):
        """``_claimable_domain`` (with ``due``, ``_due_domain``) as an SQL
        condition on the table ``sales_followup`` (no alias), for ``now``."""
        code, params = self._claimable_sql_template(due)
        moment = fields.Datetime.to_string(now)
        return SQL(
            code, *(moment if param == STAND_IN_AT_TEXT else param for param in params)
        )

    @api.model
    @tools.ormcache("due")
    def _claimable_sql_template(self, due):
        """The ORM's own SQL of the domain, translated once per process (Next call
        runs it at every press) for a stand-in moment that ``_claimable_sql``
        replaces."""
        at = STAND_IN_AT
        domain = self._due_domain(at) if due else self._claimable_domain(at)
        where = self._where_calc(domain, active_test=False).where_clause
        params = tuple(
            fields.Datetime.to_string(param) if isinstance(param, datetime) else param
            for param in where.params
        )
        if STAND_IN_AT_TEXT not in params:
            raise RuntimeError("the claimable condition lost its moment")
        return where.code, params

    def _search_open_where(self, operator, value, label, conditions):
        """The open (claimable) follow-ups meeting ``conditions``, or the others;
        shared by the Due Now, Overdue and Later Today filters."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Search “%(filter)s” with yes or no.", filter=label)
            )
        now = fields.Datetime.now()
        domain = expression.AND([conditions(now), self._claimable_domain(now)])
        return domain if (operator == "=") == value else ["!", *domain]

    def _search_is_due(self, operator, value):
        # _due_domain holds the claimable condition already: repeating it does
        # no harm and keeps one helper for the three filters.
        return self._search_open_where(operator, value, "Due Now", self._due_domain)

    def _search_is_overdue(self, operator, value):
        return self._search_open_where(
            operator, value, "Overdue", lambda now: [("window_end", "<", now)]
        )

    def _search_is_later_today(self, operator, value):
        return self._search_open_where(
            operator,
            value,
            "Later Today",
            lambda now: [
                ("window_start", ">", now),
                ("window_start", "<", self._user_today_end()),
            ],
        )

    @api.constrains("window_start", "window_end")
    def _check_window(self):
        for followup in self:
            if followup.window_end <= followup.window_start:
                raise ValidationError(
                    self.env._(
                        "The call window must end after it starts: check the day and "
                        "the part of the day agreed with the customer."
                    )
                )

    @api.constrains("lead_id", "kind", "state")
    def _check_lead_open(self):
        for followup in self:
            lead = followup.lead_id
            if followup.state not in OPEN_STATES or lead.active:
                continue
            reason = lead.lost_reason_id
            if followup.kind != "rehash":
                raise ValidationError(
                    self.env._(
                        "“%(lead)s” is lost: the customer said no, so nobody calls "
                        "them again.",
                        lead=lead.display_name,
                    )
                )
            if reason.sales_is_final:
                # Only a rehash offers a lost customer another visit, and only
                # when their no was not for good.
                raise ValidationError(
                    self.env._(
                        "“%(lead)s” was lost for a final reason (“%(reason)s”): the "
                        "customer said no for good, so no rehash call is queued. "
                        "Change the lost reason if they are open to another visit.",
                        lead=lead.display_name,
                        reason=reason.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_check_workflow_create(vals_list)
        return super().create(vals_list)

    # The queue right after Next call or a call's outcome: the call just
    # claimed or made is not shown as still queued.
    @api.model
    @on_primary
    def web_search_read(self, *args, **kwargs):
        return super().web_search_read(*args, **kwargs)

    @on_primary
    def web_read(self, *args, **kwargs):
        return super().web_read(*args, **kwargs)

    def write(self, vals):
        self._sales_check_workflow_write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Next call
    # ------------------------------------------------------------------

    @api.model
    @api.returns("self", lambda followup: followup.id or False)
    def claim_next(self):
        """Claim the most urgent due follow-up for the current coordinator: their
        own advisors' calls first, then those of the advisors they back up, then
        (where their company shares its queue) everybody's, then always the
        calls that belong to nobody (no advisor's coordinator, no coordinator on
        the lead), leads without a company included. Returns the claimed
        follow-up, or an empty recordset when nothing is due; over RPC, its id or
        False.

        A coordinator holds one call at a time: while their claim runs, pressing
        again returns the same call, so a request Odoo retries after a
        serialization failure does not claim a second one. Two presses of the
        same coordinator at once (two tabs, a double click) wait for each other
        on a lock of that coordinator's alone; other coordinators never wait.

        The claim is committed on a cursor of its own: in the calling request,
        use only the id. The request's snapshot predates the claim, so reading
        the follow-up there shows it unclaimed, and writing it fails to
        serialize (Odoo retries the request, which then gets the same call);
        open it in the next request, as the Next Call button does."""
        self._check_coordinator()
        now = fields.Datetime.now()
        values = self._claim_values(now)
        deadline = time.monotonic() + CLAIM_PATIENCE
        attempt = 0
        # Each look's first statement starts its transaction in READ COMMITTED.
        with self._claim_cursor(read_committed=False) as cr:
            while True:
                # Most presses end here: one round trip (READ COMMITTED, the
                # coordinator's lock, then the claim, in this order), unless a
                # claim is running.
                claimed = self._claim_one(
                    cr, "own", values, unless_held=True, lock=True
                )
                if not claimed:
                    claimed = self._held_claim(cr, now)
                for scope in CLAIM_SCOPES[1:]:
                    if claimed:
                        break
                    claimed = self._claim_one(cr, scope, values)
                # SKIP LOCKED passed over rows locked for a moment: while a
                # claimable call is in reach, "nothing due" would be wrong. A
                # call another coordinator is taking is claimed by then, and no
                # longer counts.
                if (
                    claimed
                    or not self._claimable_exists(cr, now)
                    or time.monotonic() >= deadline
                ):
                    break
                # A look keeps the rows it locked and passed over (claimed
                # meanwhile by another coordinator) until its transaction ends:
                # it ends before the pause, or a write waiting for one of them
                # (its log, the upkeep) would hold up the calls it locked in
                # turn, and every press behind them. The next look starts as a
                # press does, the coordinator's lock and the call they hold
                # first.
                cr.commit()
                attempt += 1
                time.sleep(min(CLAIM_PAUSE * attempt, CLAIM_PAUSE_MAX))
        # What this transaction's cache holds of the row predates the claim.
        self.invalidate_model(["state", "claimed_by_id", "claim_expires_at"])
        return self.browse(claimed)

    def _claim_scope_sql(self, scope, uid):
        """The calls of ``scope`` (see ``CLAIM_SCOPES``) for the coordinator
        ``uid``, as an SQL condition on ``sales_followup``."""
        if scope == "own":
            return SQL("sales_followup.queue_coordinator_id = %s", uid)
        if scope == "backed_up":
            return SQL(
                "sales_followup.advisor_id IN "
                "(SELECT id FROM res_users WHERE backup_coordinator_id = %s)",
                uid,
            )
        if scope == "shared":
            # The shared pool is each call's company's setting.
            return SQL(
                "sales_followup.company_id IN "
                "(SELECT id FROM res_company WHERE sales_shared_queue)"
            )
        return SQL("sales_followup.queue_coordinator_id IS NULL")

    def _claim_values(self, now):
        """What replaces the stand-ins of the claim statements for this press."""
        return {
            STAND_IN_AT: now,
            STAND_IN_AT_TEXT: fields.Datetime.to_string(now),
            STAND_IN_UID: self.env.uid,
            STAND_IN_COMPANY: self.env.company.id,
            STAND_IN_COMPANIES: self.env.companies.ids,
        }

    @api.model
    def _claim_cursor(self, read_committed=True):
        """A cursor of its own, in READ COMMITTED and committed at once, as ir.cron
        claims its jobs: the request's REPEATABLE READ snapshot would turn a row
        another coordinator claimed a moment ago into a serialization failure
        instead of skipping it. Next call, the dial and the queue's upkeep take
        it. Without ``read_committed``, the caller's first statement begins with
        ``_read_committed_sql`` (one round trip less); so does its first after
        a commit, if it goes on.

        It is the registry's cursor: a connection of its own in production, and
        in test mode (Odoo's HTTP tests, and this addon's tests, whose
        transaction is in READ COMMITTED from its start, see tests/common.py)
        Odoo's TestCursor inside the test's transaction, on which the same
        statements run. What this request wrote so far is flushed first: the
        claim reads the database, never this request's cache."""
        self.env.flush_all()
        cr = self.env.registry.cursor()
        if read_committed:
            cr.execute(self._read_committed_sql())
        return cr

    @api.model
    def _read_committed_sql(self):
        """The first statement of a transaction in READ COMMITTED (the pool sets
        REPEATABLE READ again on the connection's next cursor)."""
        return SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

    def _claimable_exists(self, cr, now):
        """Whether a due call in any scope of Next call is claimable, locked or
        not (a plain read: it waits for nobody)."""
        cr.execute(
            SQL(
                """SELECT 1 FROM sales_followup
                    WHERE %(claimable)s
                      AND (sales_followup.company_id = ANY(%(companies)s)
                           OR sales_followup.company_id IS NULL)
                      AND (%(scopes)s)
                    LIMIT 1""",
                claimable=self._claimable_sql(now),
                companies=self.env.companies.ids,
                scopes=SQL(" OR ").join(
                    self._claim_scope_sql(scope, self.env.uid) for scope in CLAIM_SCOPES
                ),
            )
        )
        return bool(cr.fetchone())

    @api.model
    def _held_domain(self, uid, now):
        """The one definition of the call the coordinator ``uid`` holds at
        ``now`` (one at a time): claimed by them, its lease running. Next
        call's SQL (``_held_sql``) and the Dial action read it."""
        return [
            ("state", "=", "claimed"),
            ("claimed_by_id", "=", uid),
            ("claim_expires_at", ">", now),
        ]

    @api.model
    def _held_sql(self, uid, now):
        """``_held_domain`` as an SQL condition on the table ``sales_followup``
        (no alias), the ORM's own translation."""
        domain = self._held_domain(uid, now)
        return self._where_calc(domain, active_test=False).where_clause

    def _held_claim(self, cr, now):
        cr.execute(
            SQL(
                """SELECT id FROM sales_followup WHERE %s
                    ORDER BY claim_expires_at DESC LIMIT 1""",
                self._held_sql(self.env.uid, now),
            )
        )
        row = cr.fetchone()
        return row and row[0]

    def _claim_one(self, cr, scope, values, unless_held=False, lock=False):
        """Claim the first free call of ``scope``; ``values`` from
        ``_claim_values``; with ``lock``, the coordinator's lock first, in the
        same round trip. Returns its id, or None.

        The statement is planned at every press (about as long as it runs): a
        prepared statement would not outlive the request, since Odoo's pool
        resets each connection it lends (psycopg2's reset is ``DISCARD ALL``)."""
        code, params = self._claim_statement(scope, unless_held, lock)
        cr.execute(code, [_stand_in(param, values) for param in params])
        row = cr.fetchone()
        return row and row[0]

    @api.model
    @tools.ormcache("scope", "unless_held", "lock")
    def _claim_statement(self, scope, unless_held, lock=False):
        """The claim of ``scope`` (with ``lock``, after the coordinator's lock)
        as SQL code and parameters, composed once per process for stand-in
        values (the moment, the coordinator, their companies) that each press
        replaces with its own: a press pays for its statement's planning, not
        for composing it again."""
        uid, now = STAND_IN_UID, STAND_IN_AT
        held = SQL(
            "NOT EXISTS (SELECT 1 FROM sales_followup WHERE %s)",
            self._held_sql(uid, now),
        )
        statement = SQL(
            """UPDATE sales_followup claimed
               SET state = 'claimed', claimed_by_id = %(uid)s,
                   -- the lease of the call's company, read here rather than
                   -- through the ORM, which would fetch every column of it
                   claim_expires_at = %(now)s + make_interval(mins => (
                       SELECT sales_claim_minutes FROM res_company
                        WHERE id = COALESCE(claimed.company_id, %(company)s))),
                   write_uid = %(uid)s, write_date = %(now)s
             WHERE claimed.id = (
                SELECT sales_followup.id FROM sales_followup
                 WHERE %(claimable)s
                   AND (sales_followup.company_id = ANY(%(companies)s)
                        OR sales_followup.company_id IS NULL)
                   AND %(scope)s
                   AND %(held)s
                 ORDER BY sales_followup.priority_tier DESC,
                          sales_followup.priority_key DESC,
                          sales_followup.window_start, sales_followup.id
                 LIMIT 1
                   FOR NO KEY UPDATE SKIP LOCKED)
            RETURNING claimed.id
            """,
            uid=uid,
            company=STAND_IN_COMPANY,
            now=now,
            claimable=self._claimable_sql(STAND_IN_AT),
            companies=STAND_IN_COMPANIES,
            scope=self._claim_scope_sql(scope, uid),
            held=held if unless_held else SQL("TRUE"),
        )
        if lock:
            # A look's first statement: its transaction in READ COMMITTED (see
            # _claim_cursor), then the coordinator's lock, then the claim.
            statement = SQL(
                "%s; SELECT pg_advisory_xact_lock(%s, %s); %s",
                self._read_committed_sql(),
                CLAIM_LOCK,
                uid,
                statement,
            )
        return statement.code, tuple(statement.params)

    def _check_coordinator(self):
        if not self.env.su and not self.env.user.has_group(
            "sales_coordination.group_coordinator"
        ):
            raise AccessError(
                self.env._(
                    "Follow-up calls are made by the coordinators: ask yours to "
                    "call the customer."
                )
            )

    @api.model
    def action_next_call(self):
        """The Next call button: claim a call and open its outcome screen, or say
        the queue is empty."""
        followup = self.claim_next()
        if not followup:
            return self._action_nothing_due()
        return followup._action_open_call()

    @api.model
    def _action_nothing_due(self):
        """What Next call says when the queue has nothing due for the
        coordinator."""
        return self._action_notice(
            "info",
            self.env._("Nothing due"),
            self.env._(
                "No follow-up call is due now. Check the queue for later today."
            ),
        )

    @api.model
    def _action_notice(self, kind, title, message):
        """Next call's answer when it opens no call screen: a notification."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": kind, "title": title, "message": message},
        }

    def action_open_call(self):
        """Take this call from the queue (claim it) and open its outcome screen."""
        self.ensure_one()
        self._check_coordinator()
        self._check_mine()
        if self.state != "claimed" or self.claimed_by_id != self.env.user:
            # The lease of the call's company, as Next call's claim has it.
            lease = (self.company_id or self.env.company).sales_claim_minutes
            self._sales_write_workflow(
                {
                    "state": "claimed",
                    "claimed_by_id": self.env.uid,
                    "claim_expires_at": fields.Datetime.now()
                    + timedelta(minutes=lease),
                }
            )
        return self._action_open_call()

    def _action_open_call(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call %(who)s", who=self.lead_id.display_name),
            "res_model": "sales.call.outcome",
            "view_mode": "form",
            "target": "new",
            "context": {"default_followup_id": self.id},
        }

    def action_release(self):
        """Put a claimed call back in the queue for someone else."""
        self._check_coordinator()
        for followup in self:
            followup._check_mine()
        self._sales_release()
        return True

    def _check_mine(self):
        self.ensure_one()
        now = fields.Datetime.now()
        if self.state not in OPEN_STATES:
            raise UserError(
                self.env._(
                    "This call to %(who)s is already %(state)s.",
                    who=self.lead_id.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ].lower(),
                )
            )
        if (
            self.state == "claimed"
            and self.claimed_by_id != self.env.user
            and self.claim_expires_at > now
        ):
            raise UserError(
                self.env._(
                    "%(coordinator)s is calling %(who)s right now: pick another call.",
                    coordinator=self.claimed_by_id.name,
                    who=self.lead_id.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Logging a call
    # ------------------------------------------------------------------

    def action_log_call(
        self,
        result,
        outcome=None,
        duration=0,
        note=None,
        window_start=None,
        window_end=None,
        lost_reason_id=None,
    ):
        """Log one attempt on this follow-up and act on what came of it.

        ``result`` is the call's (``no_answer``, ``voicemail``, ``connected``,
        ``wrong_number``); a connected call says its ``outcome``: ``booked`` (an
        appointment was set), ``later`` (call again in ``window_start`` -
        ``window_end``), ``won``, ``lost`` (with ``lost_reason_id``) or ``done``
        (confirmed, or a happy call made). Returns the booking action after
        ``booked``, else True."""
        self.ensure_one()
        self._check_coordinator()
        self._check_mine()
        if result == "connected" and outcome not in OUTCOMES:
            raise UserError(self.env._("Say what came of the conversation."))
        if result == "connected" and outcome not in KIND_OUTCOMES[self.kind]:
            kinds = dict(self._fields["kind"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "A call of the kind “%(kind)s” cannot end as “%(outcome)s”: "
                    "pick one of %(allowed)s.",
                    kind=kinds[self.kind],
                    outcome=self._sales_outcome_names()[outcome],
                    allowed=", ".join(
                        f"“{self._sales_outcome_names()[allowed]}”"
                        for allowed in KIND_OUTCOMES[self.kind]
                    ),
                )
            )
        if outcome == "later" and not (window_start and window_end):
            raise ValidationError(
                self.env._("Agree on when to call back: a day and a part of the day.")
            )
        if outcome == "later" and window_end <= fields.Datetime.now():
            raise ValidationError(
                self.env._("The new call window is in the past: agree on a later one.")
            )
        if outcome == "lost" and not lost_reason_id:
            raise ValidationError(
                self.env._("Say why the customer said no: pick a reason.")
            )
        call = self.env["sales.call"].create(
            {
                "lead_id": self.lead_id.id,
                "followup_id": self.id,
                "direction": "out",
                "result": result,
                "duration": duration,
                "note": note,
            }
        )
        lead = self.lead_id
        if result in ("no_answer", "voicemail"):
            self._reschedule_after_no_answer()
        elif result == "wrong_number":
            self._sales_close("cancelled")
            lead._sales_write_workflow({"sales_wrong_number": True})
            with side_effect(self.env, "The wrong number's chatter line"):
                lead.message_post(
                    body=self.env._(
                        "Wrong number: %(phone)s is not the customer's.",
                        phone=call.lead_id.phone or "-",
                    )
                )
        elif outcome == "later":
            self._sales_requeue(window_start, window_end)
        elif outcome == "booked" and self.kind == "rehash" and not lead.active:
            # Stays with this coordinator until the visit is booked (which
            # reopens the lead and ends this call), or returns to the queue when
            # the claim runs out.
            return lead.action_book_appointment()
        else:
            self._sales_close("done")
            if not lead.active and outcome == "won":
                # A rehash won the customer back: the lead is open again (a
                # booking reopens it when the visit is booked).
                lead.toggle_active()
            if outcome == "won":
                lead.action_set_won()
            elif outcome == "lost":
                lead.action_set_lost(lost_reason_id=lost_reason_id)
            elif outcome == "booked":
                return lead.action_book_appointment()
        return True

    def _sales_outcome_names(self):
        """The outcomes of a call that reached the customer, as read."""
        return {
            "booked": self.env._("an appointment booked"),
            "later": self.env._("call again later"),
            "won": self.env._("they buy"),
            "lost": self.env._("they say no"),
            "done": self.env._("done"),
        }

    def _reschedule_after_no_answer(self):
        """Same part of the day, on the next day whose window is still ahead: the
        same hours on the clock of the coordinator who called, across a change
        of time; after too many attempts the manager hears of it."""
        now = fields.Datetime.now()
        tz = ZoneInfo((self.claimed_by_id or self.env.user).tz or "UTC")
        start, end = (
            moment.replace(tzinfo=timezone.utc).astimezone(tz).replace(tzinfo=None)
            for moment in (self.window_start, self.window_end)
        )

        def later(local, days):
            moment = (local + timedelta(days=days)).replace(tzinfo=tz)
            return moment.astimezone(timezone.utc).replace(tzinfo=None)

        days = 1
        while later(start, days) <= now:
            days += 1
        self._sales_requeue(
            later(start, days),
            later(end, days),
            attempt_count=self.attempt_count + 1,
        )
        # The customer's streak decides (the call just logged is one of it):
        # tries logged on the lead or for an earlier call count as well.
        self.invalidate_recordset(["lead_attempt_count"])
        company = self.company_id or self.env.company
        if self.lead_attempt_count >= company.sales_max_attempts and not self.escalated:
            self._escalate()

    def _escalate(self):
        """A coordination manager hears of it, once: the lead's team leader when
        they are one, else a coordination manager of the lead's company."""
        company = self.company_id or self.env.company
        manager = self.lead_id.team_id.user_id
        if not (
            manager
            and manager.has_group("sales_coordination.group_manager")
            and company in manager.company_ids
        ):
            manager = (
                self.env["res.users"]
                .sudo()  # who manages is not secret; the activity is the point
                .search(
                    [
                        (
                            "groups_id",
                            "in",
                            self.env.ref("sales_coordination.group_manager").ids,
                        ),
                        ("company_ids", "in", company.ids),
                        ("share", "=", False),
                        ("is_inbound_integration", "=", False),
                    ],
                    order="id",
                    limit=1,
                )
            )
        self._sales_write_workflow({"escalated": True})
        if not manager:
            return
        # The activity notifies the manager as the coordinator: a coordinator
        # without an e-mail address still logs their call.
        with side_effect(self.env, "The escalation to the manager"):
            self.lead_id.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=self.env._("Customer does not answer"),
                # The lead's name may come from a visitor or a caller: escaped.
                note=plaintext2html(
                    self.env._(
                        "%(attempts)s calls to %(who)s went unanswered: decide "
                        "whether to keep calling.",
                        attempts=self.lead_attempt_count,
                        who=self.lead_id.display_name,
                    )
                ),
            )

    # ------------------------------------------------------------------
    # The queue's lifecycle: the other models change follow-ups through these
    # ------------------------------------------------------------------

    @api.model
    def _sales_queue(self, vals_list):
        """Queue new calls (``vals_list`` as for ``create``, ``is_inbound``
        included). Returns the follow-ups."""
        # Only these values: the defaults a caller's context holds are for the
        # records of its own form (a debrief's ``default_event_id``...).
        return self.with_context(
            clean_context(self.env.context)
        )._sales_create_workflow(vals_list)

    def _sales_close(self, state="done"):
        """End these calls: ``done`` when made, ``cancelled`` when their reason is
        gone. Who claimed them stays on record."""
        return self._sales_write_workflow({"state": state, "claim_expires_at": False})

    def _sales_release(self):
        """Put the claimed ones of these calls back in the queue."""
        return self.filtered(lambda f: f.state == "claimed")._sales_write_workflow(
            {"state": "queued", "claimed_by_id": False, "claim_expires_at": False}
        )

    def _sales_hold(self, until, reason):
        """Put these calls back in the queue, out of Next call's reach until
        ``until``: the dialer could not make them, for ``reason`` (said on the
        lead's chatter), and the next press must hand out another call."""
        self._sales_release()
        self._sales_write_workflow({"held_until": until})
        for lead in self.lead_id:
            with side_effect(self.env, "The held call's chatter line"):
                lead._message_log(body=plaintext2html(reason))

    def _sales_requeue(self, window_start, window_end, **values):
        """Back in the queue, unclaimed, for a new window; ``values``: what
        changes with it (the new ``attempt_count``, the bridges' quotation and
        note), in the same write."""
        return self._sales_write_workflow(
            {
                **values,
                "state": "queued",
                "claimed_by_id": False,
                "claim_expires_at": False,
                "window_start": window_start,
                "window_end": window_end,
            }
        )

    def _sales_merge_into(self, lead):
        """Move these follow-ups to ``lead`` (crm's merge of the leads they
        belonged to). Open calls of the same purpose end up as one: the earliest
        window, the highest priority, the attempts added up; the others are
        cancelled, their logged calls moved to the one kept."""
        self._sales_write_workflow({"lead_id": lead.id})
        survivors = self.browse()
        opened = self.search(
            [("lead_id", "=", lead.id), ("state", "in", OPEN_STATES)], order="id"
        )
        for _key, group in opened.grouped(_merge_key).items():
            if len(group) < 2:
                continue
            keep = group.sorted(lambda f: (-f.priority_score, f.id))[0]
            others = group - keep
            earliest = group.sorted(lambda f: (f.window_start, f.id))[0]
            others.call_ids.write({"followup_id": keep.id})
            others._sales_write_workflow(
                {
                    "state": "cancelled",
                    "claimed_by_id": False,
                    "claim_expires_at": False,
                    "note": self.env._("Merged into the call kept on the lead."),
                }
            )
            keep._sales_write_workflow(
                {
                    "window_start": earliest.window_start,
                    "window_end": earliest.window_end,
                    "attempt_count": sum(group.mapped("attempt_count")),
                    "is_inbound": any(group.mapped("is_inbound")),
                    "escalated": any(group.mapped("escalated")),
                    "quote_date": max(group.mapped("quote_date"), default=False)
                    or keep.quote_date,
                }
            )
            survivors |= keep
        return survivors

    # ------------------------------------------------------------------
    # Why a call is queued or ended: the other models state it here, with
    # their facts, and never build a follow-up's values themselves.
    # ------------------------------------------------------------------

    @api.model
    def _open_domain(self, leads=None, events=None, kinds=None):
        """The domain of the open calls (``OPEN_STATES``): those of ``leads``,
        of ``events`` (appointments) and of ``kinds``, when given."""
        domain = [("state", "in", OPEN_STATES)]
        if leads is not None:
            domain.append(("lead_id", "in", leads.ids))
        if events is not None:
            domain.append(("event_id", "in", events.ids))
        if kinds:
            domain.append(("kind", "in", tuple(kinds)))
        return domain

    @api.model
    def _open_for(self, leads=None, events=None, kinds=None, order=None):
        """The open calls of ``leads`` or ``events`` (see ``_open_domain``)."""
        # sudo: the queue follows its leads and appointments, whoever moves
        # them; the callers say why they may.
        return self.sudo().search(self._open_domain(leads, events, kinds), order=order)

    @api.model
    def _cancel_open_for(self, leads=None, events=None, kinds=None):
        """Their reason is gone (the lead won, lost, merged away, the appointment
        cancelled or deleted): the open calls of ``leads`` or ``events`` end as
        cancelled. Returns them."""
        calls = self._open_for(leads, events, kinds)
        calls._sales_close("cancelled")
        return calls

    @api.model
    def _end_rehash_calls(self, leads):
        """A visit was booked for these lost customers: the rehash calls that
        offered it are done. Returns them."""
        calls = self._open_for(leads=leads, kinds=["rehash"])
        calls._sales_close("done")
        return calls

    @api.model
    def _queue_confirmations(self, events):
        """Keep one confirmation call per upcoming sales appointment of
        ``events``, on the day before it (or from now on, when it is booked that
        late); cancelled when the appointment is, or when the customer's
        acceptance makes it needless."""
        now = fields.Datetime.now()
        existing = self._open_for(events=events, kinds=["confirmation"])
        by_event = {followup.event_id: followup for followup in existing}
        to_create = []
        for event in events:
            window = self._confirmation_window(event, now)
            followup = by_event.get(event)
            if self._confirmed_by_customer(event):
                continue  # ended when the customer accepted
            if not window or not event.active or not event.opportunity_id.active:
                if followup:
                    followup._sales_close("cancelled")
            elif followup:
                followup.write({"window_start": window[0], "window_end": window[1]})
            else:
                to_create.append(
                    {
                        "lead_id": event.opportunity_id.id,
                        "event_id": event.id,
                        "kind": "confirmation",
                        "window_start": window[0],
                        "window_end": window[1],
                    }
                )
        # sudo: the queue follows the appointment, whoever books or moves it.
        return self.sudo()._sales_queue(to_create)

    @api.model
    def _confirmation_window(self, event, now):
        """(start, end) of the call confirming ``event``: the day before it, from
        the morning to the evening in the booking coordinator's time zone; None
        when no such window is left."""
        company = event.opportunity_id.company_id or self.env.company
        tz = event.booked_by_id.tz or self.env.user.tz or "UTC"
        local_day = fields.Datetime.context_timestamp(
            event.with_context(tz=tz), event.start
        ).date()
        start, end = company._sales_local_span(
            local_day - timedelta(days=1),
            company.sales_morning_start,
            company.sales_evening_end,
            tz,
        )
        start = max(start, now)
        if end <= now:  # booked the day before or the same day: call before it
            end = event.start - timedelta(hours=1)
        return (start, end) if end > start else None

    @api.model
    def _confirmed_by_customer(self, event):
        """Whether the customer's acceptance makes the confirmation call of
        ``event`` needless (unless its company calls anyway)."""
        return (
            event.customer_response == "accepted"
            and not event._sales_company().sales_confirm_accepted
        )

    @api.model
    def _end_for_acceptance(self, events):
        """The customers of ``events`` accepted their invitation: the call to
        rebook queued by an earlier decline is done, and so is the confirmation
        call unless the company calls anyway. Returns the calls ended."""
        calls = self._open_for(events=events, kinds=["confirmation", "reset"])
        ended = calls.filtered(
            lambda call: call.kind == "reset"
            or self._confirmed_by_customer(call.event_id)
        )
        ended.write({"note": self.env._("The customer accepted the visit.")})
        ended._sales_close("done")
        return ended

    @api.model
    def _queue_reset(self, events, reason):
        """A call to rebook each of ``events``, due now, for ``reason``:
        ``no_show`` (the customer was not there) or ``declined`` (the customer
        declined the invitation: at the top of the queue, once per
        appointment). Returns the calls queued."""
        now = fields.Datetime.now()
        values = {"kind": "reset", "window_start": now, "window_end": now + RESET_DAYS}
        if reason == "declined":
            waiting = self._open_for(events=events, kinds=["reset"]).event_id
            events -= waiting
            values["is_inbound"] = True
        # sudo: the queue follows the appointment, whoever records the no-show
        # (or the customer's answer, who is no user).
        return self.sudo()._sales_queue(
            [
                {
                    **values,
                    "lead_id": event.opportunity_id.id,
                    "event_id": event.id,
                    **(
                        {
                            "note": self.env._(
                                "The customer declined the appointment of %(when)s.",
                                when=event._sales_customer_time(),
                            )
                        }
                        if reason == "declined"
                        else {}
                    ),
                }
                for event in events
            ]
        )

    @api.model
    def _queue_callback(self, lead, facts, bring_forward=False):
        """A customer reached out (``facts``: ``kind``, ``call`` for a missed
        call or ``form`` for a web form, and ``started_at``): a callback at the
        top of the queue, due at once. With ``bring_forward``, the lead's open
        callback is brought forward rather than another queued (one being made
        is left to its coordinator). Returns the callback."""
        now = fields.Datetime.now()
        start = min(facts["started_at"], now)
        end = max(start, now) + timedelta(hours=CALLBACK_HOURS)
        if bring_forward:
            callback = lead.followup_ids.filtered(
                lambda f: f.kind == "callback" and f.state in OPEN_STATES
            )[:1]
            if callback.state == "queued":
                callback._sales_requeue(start, end, is_inbound=True)
            if callback:
                return callback
        return self._sales_queue(
            [
                {
                    "lead_id": lead.id,
                    "kind": "callback",
                    "is_inbound": True,
                    "window_start": start,
                    "window_end": end,
                    "quote_date": start,
                    "note": self.env._("Missed call")
                    if facts["kind"] == "call"
                    else self.env._("Web form"),
                }
            ]
        )

    @api.model
    def _queue_asked_callbacks(self, requests):
        """Customers asked to be called back at a time of their choosing:
        ``requests`` holds (lead, (start, end), what they said) triples. Returns
        the callbacks queued."""
        return self._sales_queue(
            [
                {
                    "lead_id": lead.id,
                    "kind": "callback",
                    "window_start": start,
                    "window_end": end,
                    "note": note,
                }
                for lead, (start, end), note in requests
            ]
        )

    @api.model
    def _queue_happy_calls(self, leads):
        """These leads are won: a call to ask whether the customer is happy, on
        the day ``_happy_call_window`` says. Returns the calls queued."""
        values = []
        for lead in leads:
            start, end = self._happy_call_window(lead)
            values.append(
                {
                    "lead_id": lead.id,
                    "kind": "happy_call",
                    "window_start": start,
                    "window_end": end,
                }
            )
        return self._sales_queue(values)

    @api.model
    def _happy_call_window(self, lead):
        """(start, end) of ``lead``'s happy call: the company's delay after
        today, from the morning to the evening (the Sales bridge waits for the
        delivery)."""
        company = lead.company_id or self.env.company
        tz = lead._sales_tz()
        day = fields.Date.context_today(lead.with_context(tz=tz)) + timedelta(
            days=company.sales_happy_call_days
        )
        return company._sales_local_span(
            day, company.sales_morning_start, company.sales_evening_end, tz
        )

    @api.model
    def _queue_quote_call(self, lead, window, quoted_at, debrief=None, **facts):
        """A call about the quote ``lead``'s customer has had since
        ``quoted_at``, in ``window`` (start, end); ``debrief`` when a debrief
        agreed on it. ``facts`` are the bridges' (the Sales bridge's quotation
        and its note). Returns the call."""
        return self._sales_queue(
            [self._quote_call_values(lead, window, quoted_at, debrief, **facts)]
        )

    @api.model
    def _quote_call_values(self, lead, window, quoted_at, debrief=None, **facts):
        values = {
            "lead_id": lead.id,
            "kind": "quote",
            "window_start": window[0],
            "window_end": window[1],
            "quote_date": quoted_at,
        }
        if debrief:
            values["debrief_id"] = debrief.id
        if facts.get("note"):
            values["note"] = facts["note"]
        return values

    @api.model
    def _queue_rehash(self, debrief):
        """After ``debrief``'s demo without a sale, and unless the customer's no
        was final, a call to offer another visit after the company's delay (when
        it has one). Returns the call, or an empty recordset."""
        lead = debrief.lead_id
        company = lead.company_id or self.env.company
        days = company.sales_rehash_days
        if not days or lead.lost_reason_id.sales_is_final:
            return self.browse()
        start = debrief.event_id.stop + timedelta(days=days)
        return self._sales_queue(
            [
                {
                    "lead_id": lead.id,
                    "kind": "rehash",
                    "window_start": start,
                    "window_end": start + timedelta(days=7),
                    "event_id": debrief.event_id.id,
                    "debrief_id": debrief.id,
                }
            ]
        )

    # ------------------------------------------------------------------
    # Queue upkeep
    # ------------------------------------------------------------------

    @api.model
    def _sales_close_spent(self, company=None, limit=None):
        """Calls whose purpose is gone leave the queue by themselves: a
        confirmation once its visit has started (Next call already passes them
        over, see ``_claimable_domain``); those of ``company`` (and of no
        company) when given, at most ``limit``. Returns them."""
        of_company = [("company_id", "in", (company.id, False))] if company else []
        # sudo: the queue's own upkeep, whoever's calls they are.
        spent = self.sudo().search(
            [
                *of_company,
                ("state", "in", OPEN_STATES),
                ("kind", "=", "confirmation"),
                ("visit_start", "<=", fields.Datetime.now()),
            ],
            limit=limit,
            order="id",
        )
        spent._sales_close("cancelled")
        return spent

    @api.model
    def _cron_apply_decay(self, batch=1000):
        """After a company changes its daily decay, bring its queued calls to the
        new rate, one short batch per call (a claimed call is being made: it is
        left to its coordinator and comes round once back in the queue). Each
        batch runs in a transaction of its own, in READ COMMITTED, committed at
        once (``_claim_cursor``), and skips the rows a claim is taking (``SKIP
        LOCKED``): Next call keeps handing out calls while it runs, and a claim
        committed meanwhile cannot make it fail. As ir.cron's progress protocol
        has it, the scheduler calls it again while some remain. Without a change
        of decay it reads nothing: the passing days change no row. Returns the
        number of calls brought to the new rate."""
        pending = (
            self.env["res.company"]
            .sudo()  # the queue's own upkeep, for every company
            .search([("sales_priority_rate_pending", "=", True)])
        )
        taken = done = 0
        if pending:
            rates = SQL(", ").join(
                SQL("(%s, %s)", company.id, company._sales_priority_rate())
                for company in pending
            )
            taken, done = self._apply_decay_batch(rates, batch)
            if taken < batch:
                self._apply_decay_settle(pending, rates)
        # A full batch says more may wait (rows a claim held among them): ir.cron
        # calls again, up to its limit, then reschedules the job at once.
        self.env["ir.cron"]._notify_progress(done=done, remaining=int(taken == batch))
        if done:
            _logger.info("Brought %d follow-up calls to a new daily decay", done)
        return done

    @api.model
    def _stale_rate_sql(self, rates, states):
        """The follow-ups in ``states`` of the companies of ``rates`` (``(company
        id, rate)`` values) whose rate is not their company's."""
        return SQL(
            """WITH rate (company_id, value) AS (VALUES %(rates)s)
            SELECT f.id, rate.value, rate.company_id
              FROM sales_followup f
              JOIN rate ON rate.company_id = COALESCE(f.company_id, %(default)s)
             WHERE f.state IN %(states)s
               AND f.priority_rate IS DISTINCT FROM rate.value""",
            rates=rates,
            default=self.env.company.id,
            states=states,
        )

    @api.model
    def _apply_decay_batch(self, rates, batch):
        with self._claim_cursor() as cr:
            # A plain read first, then the rows it found, unless a claim holds them.
            cr.execute(
                SQL("%s LIMIT %s", self._stale_rate_sql(rates, ("queued",)), batch)
            )
            rows = cr.fetchall()
            if not rows:
                return 0, 0
            cr.execute(
                SQL(
                    """UPDATE sales_followup f
                          SET priority_rate = rate.value,
                              priority_key = %(key)s
                         FROM (VALUES %(rows)s) AS rate (id, value)
                        WHERE f.id = rate.id AND f.id IN (
                              SELECT id FROM sales_followup
                               WHERE id = ANY(%(ids)s) AND state = 'queued'
                                 FOR NO KEY UPDATE SKIP LOCKED)""",
                    key=priority.ordering_key_sql(
                        SQL("f.priority_base"),
                        priority.quote_day_sql(SQL.identifier("f")),
                        SQL("rate.value"),
                    ),
                    rows=SQL(", ").join(SQL("(%s, %s)", *row[:2]) for row in rows),
                    ids=[row[0] for row in rows],
                )
            )
            done = cr.rowcount
        self.invalidate_model(["priority_rate", "priority_key", "priority_score"])
        return len(rows), done

    @api.model
    def _apply_decay_settle(self, pending, rates):
        """The companies none of whose open calls wait for the new rate are done;
        while a call being made still waits, the job comes back after a lease."""
        # Read as committed now, batches included (not in this request's snapshot).
        with self._claim_cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT DISTINCT company_id FROM (%s) stale",
                    self._stale_rate_sql(rates, OPEN_STATES),
                )
            )
            waiting = pending.browse(row[0] for row in cr.fetchall())
        (pending - waiting)._sales_write_workflow(
            {"sales_priority_rate_pending": False}
        )
        if waiting:
            lease = max(waiting.mapped("sales_claim_minutes"))
            cron = self.env.ref("sales_coordination.ir_cron_followup_priority")
            # sudo: scheduling the queue's own upkeep (it runs as the scheduler).
            cron.sudo()._trigger(fields.Datetime.now() + timedelta(minutes=lease))


def queue_coordinator_sql(followup):
    """``_compute_queue_coordinator_id`` in SQL, of ``followup`` (an SQL alias of
    sales_followup): the advisor's coordinator, else the call's coordinator.
    For rows written around the ORM (tools/backfill.py, tools/queue_check.py);
    tests/test_followup_reach.py holds the two to the same answers."""
    return SQL(
        """COALESCE((SELECT advisor.coordinator_id FROM res_users advisor
                      WHERE advisor.id = %(followup)s.advisor_id),
                    %(followup)s.coordinator_id)""",
        followup=followup,
    )


def _ago(env, delta):
    """How long ago, as a coordinator says it: 12 min ago, 3 h ago, 2 days ago."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return env._("%(minutes)s min ago", minutes=minutes)
    if minutes < 24 * 60:
        return env._("%(hours)s h ago", hours=minutes // 60)
    return env._("%(days)s days ago", days=minutes // (24 * 60))


def _stand_in(param, values):
    """``param`` of a statement composed for stand-ins, for this press."""
    if isinstance(param, str | int | datetime | tuple):  # the hashable kinds
        return values.get(param, param)
    return param


def _merge_key(followup):
    """Open calls with the same key are one call: one per kind, and one
    confirmation per appointment."""
    event = followup.event_id if followup.kind == "confirmation" else None
    return followup.kind, event
