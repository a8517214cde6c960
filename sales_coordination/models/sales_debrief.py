from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.side_effect import side_effect
from .crm_lead import DAYPARTS
from .sales_followup import OPEN_STATES
from .sales_workflow_mixin import EMPTY

OUTCOMES = [
    ("advance", "Advance to the Next Step"),
    ("repeat", "Repeat This Step"),
    ("abandon", "Abandon"),
    ("won", "Won"),
    ("lost", "Lost"),
]
COORDINATOR_FIELDS = frozenset(
    {
        "event_id",
        "product_interest",
        "amount_untaxed",
        "probability",
        "outcome",
        "lost_reason_id",
        "next_step",
        "followup_date",
        "followup_daypart",
        "followup_window_start",
        "followup_window_end",
        "next_event_id",
        "coordinator_id",
    }
)
# What the advisor may put in a draft from the field, once the visit started: the
# result itself, never who recorded it nor what the coordinator books after it.
ADVISOR_FIELDS = frozenset(
    {
        "event_id",
        "product_interest",
        "amount_untaxed",
        "probability",
        "outcome",
        "lost_reason_id",
        "next_step",
        "followup_date",
        "followup_daypart",
        "followup_window_start",
        "followup_window_end",
    }
)
MANAGER_FIELDS = frozenset(
    {"strength_1", "strength_2", "strength_3", "improvement", "manager_id"}
)


class SalesDebrief(models.Model):
    """What the advisor tells the coordinator right after an appointment, and what
    the manager tells the advisor after that."""

    _name = "sales.debrief"
    _inherit = ["mail.thread", "sales.workflow.mixin"]
    _description = "Appointment Debrief"
    _order = "event_start desc, id desc"
    _rec_name = "event_id"
    # Confirmed only by action_confirm(), reopened only by a manager's
    # action_reopen(); the rest follows from them.
    _sales_workflow_fields = {
        "state": frozenset({"draft"}),
        "followup_id": EMPTY,
        "manager_id": EMPTY,
        "manager_reviewed": EMPTY,
        # Follow the appointment: what the funnel counts the debrief for.
        "event_start": EMPTY,
        "lead_id": EMPTY,
        "advisor_id": EMPTY,
        "company_id": EMPTY,
    }

    event_id = fields.Many2one(
        "calendar.event",
        string="Appointment",
        required=True,
        index=True,
        # A confirmed debrief outlives nothing it belongs to: the appointment
        # is cancelled (archived), not deleted (see calendar.event).
        ondelete="restrict",
        domain=[("is_sales_appointment", "=", True)],
    )
    event_start = fields.Datetime(related="event_id.start", store=True)
    lead_id = fields.Many2one(
        related="event_id.opportunity_id", store=True, index=True, string="Lead"
    )
    partner_id = fields.Many2one(related="lead_id.partner_id", string="Customer")
    advisor_id = fields.Many2one(
        related="event_id.advisor_id", store=True, index=True, string="Advisor"
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_interest = fields.Char(
        string="Product They Lean To", tracking=True, required=True
    )
    amount_untaxed = fields.Monetary(
        string="Value Before Taxes", currency_field="currency_id", tracking=True
    )
    probability = fields.Float(tracking=True, help="Chance to close, 0 to 100.")
    outcome = fields.Selection(OUTCOMES, required=True, tracking=True)
    lost_reason_id = fields.Many2one("crm.lost.reason")
    next_step = fields.Text()
    followup_date = fields.Date(
        string="Follow-up Day",
        default=lambda self: fields.Date.context_today(self)
        + timedelta(days=self.env.company.sales_quote_followup_days),
    )
    followup_daypart = fields.Selection(DAYPARTS, string="Follow-up Part of Day")
    followup_window_start = fields.Datetime(
        compute="_compute_followup_window", store=True, readonly=False
    )
    followup_window_end = fields.Datetime(
        compute="_compute_followup_window", store=True, readonly=False
    )
    followup_window_label = fields.Char(
        string="Call Back",
        compute="_compute_followup_window_label",
        help="The window agreed with the customer, in your time zone.",
    )
    next_event_id = fields.Many2one(
        "calendar.event",
        string="Next Appointment Booked",
        domain="[('opportunity_id', '=', lead_id), ('id', '!=', event_id)]",
    )
    followup_id = fields.Many2one("sales.followup", readonly=True, copy=False)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Confirmed")],
        default="draft",
        required=True,
        tracking=True,
        index=True,
        readonly=True,
        copy=False,
    )
    # The manager's debrief with the advisor.
    manager_id = fields.Many2one("res.users", readonly=True)
    strength_1 = fields.Char(string="Done Well (1)")
    strength_2 = fields.Char(string="Done Well (2)")
    strength_3 = fields.Char(string="Done Well (3)")
    improvement = fields.Char(string="To Work On")
    manager_reviewed = fields.Boolean(compute="_compute_manager_reviewed", store=True)

    _sql_constraints = [
        (
            "event_uniq",
            "unique(event_id)",
            "This appointment already has its debrief: open it instead.",
        )
    ]

    @api.depends("followup_window_start", "followup_window_end", "company_id")
    @api.depends_context("uid", "tz", "lang")
    def _compute_followup_window_label(self):
        for debrief in self:
            company = debrief.company_id or self.env.company
            debrief.followup_window_label = company._sales_describe_window(
                debrief.followup_window_start, debrief.followup_window_end
            )

    @api.depends("followup_date", "followup_daypart")
    def _compute_followup_window(self):
        for debrief in self:
            if not (debrief.followup_date and debrief.followup_daypart):
                continue
            company = debrief.company_id or self.env.company
            window = company._sales_daypart_window(
                debrief.followup_date, debrief.followup_daypart, self.env.user.tz
            )
            debrief.followup_window_start, debrief.followup_window_end = window

    @api.depends("strength_1", "strength_2", "strength_3", "improvement")
    def _compute_manager_reviewed(self):
        for debrief in self:
            debrief.manager_reviewed = bool(
                debrief.strength_1
                and debrief.strength_2
                and debrief.strength_3
                and debrief.improvement
            )

    @api.constrains("probability", "amount_untaxed")
    def _check_figures(self):
        for debrief in self:
            if not 0 <= debrief.probability <= 100:
                raise ValidationError(
                    self.env._("The probability of closing is between 0 and 100.")
                )
            if debrief.amount_untaxed < 0:
                raise ValidationError(
                    self.env._("The value before taxes cannot be negative.")
                )

    @api.constrains("followup_window_start", "followup_window_end")
    def _check_window(self):
        for debrief in self:
            start, end = debrief.followup_window_start, debrief.followup_window_end
            if start and end and end <= start:
                raise ValidationError(
                    self.env._("The follow-up window must end after it starts.")
                )

    @api.constrains("event_id")
    def _check_event(self):
        now = fields.Datetime.now()
        for debrief in self:
            event = debrief.event_id
            if not event.is_sales_appointment:
                raise ValidationError(
                    self.env._("Only sales appointments are debriefed.")
                )
            if event.is_no_show:
                raise ValidationError(
                    self.env._(
                        "“%(event)s” was a no-show: there is no visit to debrief.",
                        event=event.name,
                    )
                )
            if event.start > now:
                raise ValidationError(
                    self.env._(
                        "The appointment “%(event)s” has not started yet: debrief it "
                        "once it has taken place.",
                        event=event.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_check_workflow_create(vals_list)
        if self._is_field_advisor_only():
            self._check_advisor_draft(
                {name for vals in vals_list for name in vals},
                self.env["calendar.event"].browse(
                    [vals["event_id"] for vals in vals_list if vals.get("event_id")]
                ),
            )
        if any(MANAGER_FIELDS.intersection(vals) for vals in vals_list):
            self._check_manager()
        self._check_one_per_event([vals.get("event_id") for vals in vals_list])
        return super().create(vals_list)

    def _check_one_per_event(self, event_ids):
        # Said before the insert (the unique index stops concurrent duplicates);
        # sudo: a debrief this user may not read still makes a second one wrong.
        existing = self.sudo().search([("event_id", "in", event_ids)], limit=1)
        if existing or len(set(event_ids)) < len(event_ids):
            raise ValidationError(
                self.env._(
                    "This appointment already has its debrief: open it instead of "
                    "writing a second one."
                )
            )

    def write(self, vals):
        self.check_access("write")
        self._sales_check_workflow_write(vals)
        if self._is_field_advisor_only():
            if any(debrief.state != "draft" for debrief in self):
                raise AccessError(
                    self.env._(
                        "This debrief is confirmed: the advisor's draft is closed. "
                        "Ask your coordinator to correct it."
                    )
                )
            events = self.event_id
            if vals.get("event_id"):
                events = self.env["calendar.event"].browse(vals["event_id"])
            self._check_advisor_draft(vals, events)
        if "event_id" in vals and any(
            debrief.state == "done" and debrief.event_id.id != vals["event_id"]
            for debrief in self
        ):
            # The appointment is what a confirmed debrief counts for (the
            # funnel's demo, the advisor's close rate): a manager reopens it first.
            # (Its own appointment written again, as an update of the demo data
            # does, changes nothing.)
            raise UserError(
                self.env._(
                    "This debrief is confirmed: the appointment it is about stays. "
                    "A manager reopens it to correct it."
                )
            )
        if MANAGER_FIELDS.intersection(vals):
            self._check_manager()
            vals = dict(vals, manager_id=self.env.uid)
        if (
            COORDINATOR_FIELDS.intersection(vals)
            and any(debrief.state == "done" for debrief in self)
            and not self.env.user.has_group("sales_coordination.group_manager")
        ):
            raise UserError(
                self.env._(
                    "This debrief is confirmed: only a manager may change what was "
                    "recorded."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        # Coordinators discard a draft (entered for the wrong visit, or for a
        # visit nobody was home for); what was confirmed stays, but for managers.
        if any(debrief.state == "done" for debrief in self) and not (
            self.env.su or self.env.user.has_group("sales_coordination.group_manager")
        ):
            raise UserError(
                self.env._("This debrief is confirmed: only a manager may delete it.")
            )

    def _is_field_advisor_only(self):
        """Whether the user writes as a field advisor (not a coordinator nor a
        manager): their debrief is a draft of their own started visit."""
        return not self.env.su and not self.env.user.has_group(
            "sales_coordination.group_coordinator"
        )

    def _check_advisor_draft(self, vals, events):
        """An advisor records a draft result of their own visit once it started:
        the result's fields only, never the state nor what a coordinator books."""
        refused = set(vals) - ADVISOR_FIELDS
        if refused:
            raise AccessError(
                self.env._(
                    "A field advisor records the visit's result only; the "
                    "coordinator completes the rest (%(fields)s).",
                    fields=", ".join(sorted(refused)),
                )
            )
        now = fields.Datetime.now()
        # sudo: another advisor's appointment is not readable to this one; its
        # advisor is read to be compared with the user, and nothing of it is told.
        for event in events.sudo():
            if event.advisor_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "You record the result of your own visits only: this "
                        "appointment is not yours."
                    )
                )
            if event.start > now:
                raise AccessError(
                    self.env._(
                        "The visit “%(event)s” has not started yet: record its "
                        "result once you are there.",
                        event=event.name,
                    )
                )

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "sales_coordination.group_manager"
        ):
            raise AccessError(
                self.env._("Only a sales manager writes the manager's debrief.")
            )

    def action_confirm(self):
        """Confirm the debrief: update the opportunity (revenue, probability, stage,
        won or lost) and queue the follow-up for the agreed window, in one
        transaction. Returns True."""
        if self._is_field_advisor_only():
            raise AccessError(
                self.env._(
                    "Only a coordinator confirms a debrief: your draft waits for them."
                )
            )
        for debrief in self:
            debrief._check_confirmable()
            if debrief.coordinator_id == debrief.advisor_id:
                # The advisor's draft from the field: recorded, in the end, by
                # the coordinator who confirms it.
                debrief.coordinator_id = self.env.user
            debrief._apply_to_lead()
            debrief._sales_write_workflow({"state": "done"})
            debrief.event_id._sales_write_workflow({"debrief_state": "done"})
            with side_effect(self.env, "The debrief's summary on the lead"):
                debrief.lead_id.message_post(body=debrief._summary())
        return True

    def action_reopen(self):
        """A manager reopens confirmed debriefs to correct them: back to draft, the
        appointment's debrief due again, the call it queued withdrawn (confirming
        again queues it anew); logged in the chatter. Returns True."""
        self._check_manager()
        for debrief in self:
            if debrief.state != "done":
                raise UserError(
                    self.env._(
                        "The debrief of “%(event)s” is not confirmed: there is "
                        "nothing to reopen.",
                        event=debrief.event_id.name,
                    )
                )
        # sudo: the call the debrief queued follows it, whoever may see it.
        self.sudo().followup_id.filtered(lambda f: f.state in OPEN_STATES)._sales_close(
            "cancelled"
        )
        self._sales_write_workflow({"state": "draft", "followup_id": False})
        self.event_id._sales_write_workflow({"debrief_state": "due"})
        for debrief in self:
            with side_effect(self.env, "The debrief's reopening line"):
                debrief.message_post(
                    body=self.env._(
                        "Reopened by %(manager)s to be corrected.",
                        manager=self.env.user.name,
                    )
                )
        return True

    def _check_confirmable(self):
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This debrief is already confirmed."))
        self._check_event()
        if self.outcome in ("advance", "repeat") and not self.next_event_id:
            if not (self.followup_window_start and self.followup_window_end):
                raise ValidationError(
                    self.env._(
                        "Agree on when to call back (a day and a part of the day), "
                        "or book the next appointment, before confirming."
                    )
                )
            if self.followup_window_end <= fields.Datetime.now():
                raise ValidationError(
                    self.env._(
                        "The follow-up window is in the past: agree on a later one."
                    )
                )
        if self.outcome == "lost" and not self.lost_reason_id:
            raise ValidationError(
                self.env._("Say why the customer said no: pick a reason.")
            )

    def _apply_to_lead(self):
        lead = self.lead_id
        lead.write(
            {
                "expected_revenue": self.amount_untaxed,
                "probability": self.probability,
            }
        )
        if self.outcome == "won":
            lead.action_set_won()
        elif self.outcome == "lost":
            lead.action_set_lost(lost_reason_id=self.lost_reason_id.id)
        elif self.outcome == "abandon":
            lead.action_set_lost(
                lost_reason_id=self.env.ref(
                    "sales_coordination.crm_lost_reason_abandon"
                ).id
            )
        Followup = self.env["sales.followup"]
        if self.outcome in ("lost", "abandon"):
            self._sales_set_followup(Followup._queue_rehash(self))
        elif self.outcome in ("advance", "repeat") and not self.next_event_id:
            window = (self.followup_window_start, self.followup_window_end)
            self._sales_set_followup(
                Followup._queue_quote_call(
                    lead, window, self.event_id.start, debrief=self
                )
            )

    def _sales_set_followup(self, followup):
        """``followup`` is the call this debrief queued (none when empty)."""
        if followup:
            self._sales_write_workflow({"followup_id": followup.id})

    def _summary(self):
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[
            self.outcome
        ]
        lines = [
            self.env._("Debrief of %(event)s", event=self.event_id.name),
            self.env._("Outcome: %(outcome)s", outcome=outcome),
            self.env._("Product: %(product)s", product=self.product_interest or "-"),
            self.env._(
                "Value before taxes: %(amount)s, probability %(probability)s%%",
                amount=self.amount_untaxed,
                probability=round(self.probability),
            ),
        ]
        if self.next_step:
            lines.append(self.env._("Next step: %(step)s", step=self.next_step))
        if self.followup_id:
            lines.append(
                self.env._(
                    "Follow-up call queued for %(start)s",
                    start=fields.Datetime.to_string(self.followup_id.window_start),
                )
            )
        # Each line is escaped: what was typed is data, not markup.
        return Markup("<br/>").join(lines)
