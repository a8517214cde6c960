from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.workflow import is_owned, owning
from .sales_workflow_mixin import EMPTY

# What the telephone service said of the call: only its integration writes it.
PROVIDER_FIELDS = {
    "integration_id": EMPTY,
    "provider_call_id": EMPTY,
    "caller_number": EMPTY,
    "caller_name": EMPTY,
    "recording_url": EMPTY,
    "recording_duration": EMPTY | {0},
    "brought_lead": EMPTY,
}
# What the board counts of a call: its author corrects them for this long after
# logging it; later, only a manager (or the telephone service's integration).
RECORDED_FIELDS = frozenset({"result", "duration", "direction", "lead_id"})
CORRECTION_MINUTES = 10
# An answered lead call is booked when an appointment of its lead was set within
# this long after it.
BOOKING_DELAY = "1 day"


class SalesCall(models.Model):
    _name = "sales.call"
    _inherit = ["sales.workflow.mixin"]
    _description = "Logged Call"
    _order = "call_date desc, id desc"
    _rec_name = "lead_id"
    _sales_workflow_fields = {**PROVIDER_FIELDS, "company_id": EMPTY}

    user_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    # A logged call outlives nothing it counts for: its lead is archived, not
    # deleted, while it holds calls (see crm.lead).
    # Every call is logged on a lead (checked below). The database keeps a call
    # whose lead is deleted around this addon (by code that does not go through
    # crm.lead.unlink, which archives such leads instead): set null, not
    # cascade, so that the call still counts where it was made.
    # auto_join: the users' rules read the call's lead (its advisor, its
    # coordinator) row by row through its key; as a subquery, PostgreSQL read
    # every lead to list one lead's calls (1.5 s at a million leads).
    lead_id = fields.Many2one(
        "crm.lead", index=True, ondelete="set null", auto_join=True
    )
    followup_id = fields.Many2one(
        "sales.followup",
        string="Follow-up",
        index="btree_not_null",
        ondelete="set null",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        readonly=True,
    )
    direction = fields.Selection(
        [("in", "Inbound"), ("out", "Outbound")], required=True, default="out"
    )
    result = fields.Selection(
        [
            ("no_answer", "No Answer"),
            ("voicemail", "Voicemail"),
            ("connected", "Connected"),
            ("wrong_number", "Wrong Number"),
        ],
        required=True,
        default="connected",
    )
    call_date = fields.Datetime(
        string="Date", required=True, index=True, default=fields.Datetime.now
    )
    duration = fields.Integer(string="Duration (s)", help="Length of the call.")
    note = fields.Text()
    # From the telephone service (Twilio, CallRail), through its integration.
    integration_id = fields.Many2one(
        "sales.inbound.source",
        readonly=True,
        index="btree_not_null",
        # What an integration brought stays: it is archived, not deleted.
        ondelete="restrict",
    )
    provider_call_id = fields.Char(
        string="Provider's Call Id",
        readonly=True,
        help="The telephone service's own id of the call: each of its events "
        "about the call updates this one.",
    )
    caller_number = fields.Char(readonly=True)
    caller_name = fields.Char(readonly=True)
    recording_url = fields.Char(
        string="Recording",
        readonly=True,
        help="Where the telephone service plays the call's recording (the audio "
        "stays with the service).",
    )
    recording_duration = fields.Integer(string="Recording (s)", readonly=True)
    brought_lead = fields.Boolean(
        string="Brought the Lead",
        readonly=True,
        help="The lead was created for this call.",
    )
    reason_id = fields.Many2one(
        "sales.call.reason",
        string="Call Reason",
        index="btree_not_null",
        ondelete="restrict",
        help="Why the customer called. A reason that does not count as a lead "
        "excuses the call: it leaves the funnel and the booking rate.",
    )
    is_lead = fields.Boolean(
        string="Lead Call",
        compute="_compute_is_lead",
        search="_search_is_lead",
        help="An inbound call that counts as a lead: no reason excuses it.",
    )
    is_unbooked = fields.Boolean(
        string="Unbooked",
        compute="_compute_is_unbooked",
        search="_search_is_unbooked",
        help="An answered lead call after which no appointment was set for the "
        "lead within a day.",
    )

    _sql_constraints = [
        (
            "provider_call_uniq",
            "unique(integration_id, provider_call_id)",
            "The telephone service reported this call already.",
        )
    ]

    @api.depends("lead_id.company_id", "integration_id.company_id")
    def _compute_company_id(self):
        for call in self:
            call.company_id = call.lead_id.company_id or call.integration_id.company_id

    @api.model
    def _lead_call_domain(self):
        """The one definition of a lead call: one the customer made to us, which
        no reason excuses as not a lead. Its flag, its filter, the unbooked
        calls and the coordinators' board all read it (``_lead_call_sql``)."""
        return [
            "&",
            ("direction", "=", "in"),
            "|",
            ("reason_id", "=", False),
            ("reason_id.is_lead", "=", True),
        ]

    @api.model
    def _lead_call_sql(self):
        """``_lead_call_domain`` as an SQL condition on the table ``sales_call``
        (no alias), the ORM's own translation."""
        return self._where_calc(
            self._lead_call_domain(), active_test=False
        ).where_clause

    @api.depends("direction", "reason_id.is_lead")
    def _compute_is_lead(self):
        lead_calls = self.filtered_domain(self._lead_call_domain())
        for call in self:
            call.is_lead = call in lead_calls

    def _search_is_lead(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Search lead calls with “is set” or “is not set”.")
            )
        lead_calls = self._lead_call_domain()
        return lead_calls if (operator == "=") == value else ["!", *lead_calls]

    def _compute_is_unbooked(self):
        saved = self.filtered("id")
        unbooked = saved.search([("id", "in", saved.ids), ("is_unbooked", "=", True)])
        for call in self:
            call.is_unbooked = call in unbooked

    def _search_is_unbooked(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Search unbooked calls with “is set” or “is not set”.")
            )
        unbooked = SQL(
            """(SELECT sales_call.id FROM sales_call
                WHERE %(lead_call)s AND sales_call.result = 'connected'
                  AND sales_call.lead_id IS NOT NULL
                  AND NOT EXISTS (
                      SELECT 1 FROM calendar_event event
                       WHERE event.opportunity_id = sales_call.lead_id
                         AND event.is_sales_appointment
                         AND event.start >= sales_call.call_date
                         AND event.create_date
                             < sales_call.call_date + interval %(delay)s))""",
            lead_call=self._lead_call_sql(),
            delay=BOOKING_DELAY,
        )
        return [("id", "in" if (operator == "=") == value else "not in", unbooked)]

    def init(self):
        # The coordinator board counts each coordinator's calls of the month per
        # company, and the lead calls they answered this week: an index-only scan
        # of the month's calls. (Migration 18.0.1.6.0 drops the index it replaces,
        # sales_call_date_user_company_index, without direction and reason.)
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS sales_call_board_index ON sales_call "
                "(call_date) INCLUDE (user_id, company_id, result, direction, "
                "reason_id)"
            )
        )

    @api.constrains("lead_id")
    def _check_lead(self):
        # Only a telephone service's call that is not a lead (spam, a call too
        # short to be one...) stands without a lead.
        if any(not call.lead_id and not call._is_excused() for call in self):
            raise ValidationError(
                self.env._(
                    "Say which lead the call was with: a call is logged on a lead."
                )
            )

    def _is_excused(self):
        self.ensure_one()
        return bool(
            self.integration_id and self.reason_id and not self.reason_id.is_lead
        )

    @api.constrains("duration")
    def _check_duration(self):
        if any(call.duration < 0 for call in self):
            raise ValidationError(self.env._("A call cannot last less than nothing."))

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_check_workflow_create(vals_list)
        if not (self.env.su or is_owned(self._name, "user_id")):
            user_id = self.env.context.get("default_user_id")
            for vals in vals_list:
                if vals.get("user_id", user_id) not in (None, False, self.env.uid):
                    raise UserError(self._sales_not_yours_message())
        calls = super().create(vals_list)
        # (a constraint on lead_id runs only when it is given)
        calls._check_lead()
        calls.filtered(lambda call: call._is_contact())._record_contact()
        return calls

    def write(self, vals):
        self._sales_check_workflow_write(vals)
        # Who made a call, and when someone else's was made, are what the board
        # counts: nobody rewrites them.
        if not self.env.su and (
            "user_id" in vals
            or (
                "call_date" in vals
                and not is_owned(self._name, "call_date")
                and any(c.user_id != self.env.user for c in self)
            )
        ):
            raise UserError(self._sales_not_yours_message())
        self._check_recorded_write(vals)
        if "reason_id" not in vals:
            return super().write(vals)
        before = {call: call.is_lead for call in self}
        result = super().write(vals)
        self.filtered(lambda call: call.is_lead != before[call])._sales_apply_reason()
        return result

    def _check_recorded_write(self, vals):
        """Refuse a change of what the call recorded (result, duration,
        direction, lead) unless the current user is a manager, or made these
        calls and logged them less than ``CORRECTION_MINUTES`` ago."""
        names = [
            name
            for name in RECORDED_FIELDS.intersection(vals)
            if not is_owned(self._name, name)
        ]
        if not names or self.env.su:
            return
        if self.env.user.has_group("sales_coordination.group_manager"):
            return
        since = fields.Datetime.now() - timedelta(minutes=CORRECTION_MINUTES)
        if any(
            call.user_id != self.env.user or (call.create_date or since) < since
            for call in self
        ):
            raise UserError(
                self.env._(
                    "What a logged call recorded (its result, length, direction "
                    "and lead) is corrected by the coordinator who logged it, "
                    "within %(minutes)s minutes, or by a manager: log a new call "
                    "rather than changing this one.",
                    minutes=CORRECTION_MINUTES,
                )
            )

    def _sales_apply_reason(self):
        """What a call's new reason means for its lead. Excused, the lead it
        brought (nothing else has happened on it) leaves the reports: archived,
        marked as not a lead, its calls to make withdrawn. Counted as a lead
        again, that lead comes back, and a call that stood without a lead gets
        one, as the integration would have made it."""
        for call in self:
            lead = call.lead_id
            if call.is_lead:
                if lead.sales_not_lead:
                    lead._sales_write_workflow({"sales_not_lead": False})
                    lead.action_unarchive()
                elif not lead and call.integration_id:
                    call._sales_bring_lead()
                continue
            if (
                not lead
                or not call.brought_lead
                or lead.sales_not_lead
                or lead.sales_is_set
                or (lead.call_ids - call)
            ):
                # A lead with a history of its own stays: only this call is
                # excused.
                continue
            self.env["sales.followup"]._cancel_open_for(leads=lead)
            lead._sales_write_workflow({"sales_not_lead": True})
            lead.action_archive()

    def _sales_bring_lead(self):
        """Make the lead of this excused call now counted as one, as its
        integration would have made it at the call."""
        self.ensure_one()
        Event = self.env["sales.inbound.event"]
        event = Event.search([("call_id", "=", self.id)], limit=1)
        values = Event._call_facts(event.facts or {"call_id": self.provider_call_id})
        lead, _created = Event._lead_for(self.integration_id, values)
        self._sales_write_workflow({"brought_lead": True})
        # The call's lead as the integration would have set it, whoever gave
        # the reason.
        with owning(self._name, "lead_id"):
            self.lead_id = lead

    def _sales_not_yours_message(self):
        return self.env._(
            "A logged call stays with the coordinator who made it, at the time they "
            "made it: log your own calls, and leave the others' as they are."
        )

    def _is_contact(self):
        """A call we made to the customer, or one of theirs we answered."""
        self.ensure_one()
        return self.direction == "out" or self.result == "connected"

    def _record_contact(self):
        for lead, calls in self.grouped("lead_id").items():
            lead._sales_record_contact(
                *(
                    (call.call_date, call.call_date + timedelta(seconds=call.duration))
                    for call in calls
                )
            )
