import contextvars
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize

from ..tools.cron import run_batch
from ..tools.funnel import FUNNEL_COLUMNS, demoed_sql, visits_sql
from ..tools.indexes import create_indexes
from ..tools.replica import on_primary
from ..tools.side_effect import side_effect
from .sales_followup import OPEN_STATES
from .sales_workflow_mixin import EMPTY

# The lead a coordinator chose to keep, while their merge runs (crm's merge keeps
# the most advanced lead otherwise). A variable of the running code, not Odoo's
# context: no client can send it.
_MERGE_HEAD = contextvars.ContextVar("sales_coordination_merge_head", default=None)

URGENCY = [
    ("now", "Right Now"),
    ("week", "This Week"),
    ("month", "This Month"),
    ("later", "Later"),
]
WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
NO_FUNNEL = {
    name: False if empty is None else empty
    for name, (_type, empty) in FUNNEL_COLUMNS.items()
    if name != "sales_is_won"  # computed from the stage, without a query
}
DAYPARTS = [("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening")]
URGENCY_ORDER = [key for key, _label in URGENCY]
# Kept by the rules: the contact dates by calls and e-mails, the arrival by the
# intake and the integrations, the flags by their crons and call outcomes, the
# funnel by the appointments and debriefs.
WORKFLOW_FIELDS = {
    "arrival_date": EMPTY,
    "first_contact_date": EMPTY,
    "last_contact_date": EMPTY,
    "response_hours": EMPTY,
    "not_contacted_alerted": EMPTY,
    "sales_wrong_number": EMPTY,
    "sales_not_lead": EMPTY,
    **{name: EMPTY for name in FUNNEL_COLUMNS},
}

# What the duplicate check reads of each contact found.
PARTNER_MATCH_COLUMNS = ("email_normalized", "phone", "mobile", "country_id")


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "sales.workflow.mixin"]
    _sales_workflow_fields = WORKFLOW_FIELDS

    perceived_need = fields.Text(
        help="Why the customer called, in their words: frames the first visit."
    )
    urgency = fields.Selection(URGENCY, index=True, tracking=True)
    referred_by_id = fields.Many2one(
        "res.partner",
        string="Referrer",
        index="btree_not_null",
        tracking=True,
        help="The customer or employee who sent them, for referral and "
        "employee-generated lead programmes.",
    )
    reach_weekday = fields.Selection(WEEKDAYS, string="Best Day to Call")
    reach_daypart = fields.Selection(DAYPARTS, string="Best Time to Call")
    tracking_number_id = fields.Many2one(
        "sales.tracking.number",
        string="Tracking Number Dialled",
        index="btree_not_null",
    )
    coordinator_id = fields.Many2one(
        "res.users",
        compute="_compute_coordinator_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="Works this lead: the salesperson's coordinator, or whoever took it in.",
    )
    arrival_date = fields.Datetime(
        string="Arrived On",
        index=True,
        copy=False,
        help="When the lead reached us (the call, the form): speed to lead and the "
        "not-contacted alert count from here.",
    )
    first_contact_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="First call or e-mail to the customer (or a call of theirs answered).",
    )
    last_contact_date = fields.Datetime(readonly=True, copy=False, index=True)
    response_hours = fields.Float(
        string="Speed to Lead (Hours)",
        compute="_compute_response_hours",
        store=True,
        aggregator="avg",
        help="Hours from the lead's arrival to the first contact.",
    )
    is_not_contacted = fields.Boolean(
        string="Not Contacted",
        compute="_compute_is_not_contacted",
        search="_search_is_not_contacted",
        help="Open and nobody contacted the customer for the company's alert delay.",
    )
    not_contacted_alerted = fields.Boolean(copy=False, readonly=True)
    call_ids = fields.One2many("sales.call", "lead_id", string="Calls")
    followup_ids = fields.One2many("sales.followup", "lead_id", string="Follow-ups")
    debrief_ids = fields.One2many("sales.debrief", "lead_id", string="Debriefs")
    call_count = fields.Integer(compute="_compute_call_count")
    followup_count = fields.Integer(compute="_compute_followup_count")
    sales_wrong_number = fields.Boolean(
        string="Wrong Number",
        copy=False,
        tracking=True,
        help="A coordinator reached somebody else at this number: find the right "
        "one. Cleared when the phone changes.",
    )
    # No default: the column is added without rewriting the table, and the
    # reports read "not TRUE".
    sales_not_lead = fields.Boolean(
        string="Not a Lead",
        readonly=True,
        copy=False,
        tracking=True,
        help="The call that brought this lead was excused as not a lead (spam, an "
        "existing customer, a wrong number...): the lead is archived and counts in "
        "no report.",
    )

    # Where the lead stands in the funnel, kept on the lead so that the reports
    # read one row per lead from their covering indexes (see indexes.py)
    # instead of joining every appointment and debrief.
    sales_appointment_count = fields.Integer(
        string="Sales Appointments",
        compute="_compute_sales_funnel",
        store=True,
        help="Sales appointments booked for the lead and not cancelled.",
    )
    sales_is_set = fields.Boolean(
        string="Appointment Set",
        compute="_compute_sales_funnel",
        store=True,
        help="A sales appointment was booked for the lead, even if later cancelled.",
    )
    sales_issued_date = fields.Datetime(
        string="First Visit",
        compute="_compute_sales_funnel",
        store=True,
        help="Start of the earliest sales appointment that was neither cancelled "
        "nor a no-show, or that was debriefed: once it has started, the "
        "appointment was issued.",
    )
    sales_is_demoed = fields.Boolean(
        string="Demoed",
        compute="_compute_sales_funnel",
        store=True,
        help="An appointment of the lead has a confirmed debrief.",
    )
    sales_reset_count = fields.Integer(
        string="Resets",
        compute="_compute_sales_funnel",
        store=True,
        help="Appointments rebooked after a no-show or a cancellation.",
    )
    sales_rehash_count = fields.Integer(
        string="Rehashes",
        compute="_compute_sales_funnel",
        store=True,
        help="Further visits after a demo without a sale.",
    )
    sales_is_won = fields.Boolean(
        string="Sold",
        compute="_compute_sales_is_won",
        store=True,
        help="The lead is open and in a won stage.",
    )

    @api.depends(
        "calendar_event_ids.is_sales_appointment",
        "calendar_event_ids.active",
        "calendar_event_ids.start",
        "calendar_event_ids.is_no_show",
        "calendar_event_ids.appointment_type",
        "calendar_event_ids.debrief_state",
        "debrief_ids.state",
    )
    def _compute_sales_funnel(self):
        # One definition of the funnel, in SQL (tools/funnel.py): the bulk
        # fills write the same figures.
        leads = self.filtered(lambda lead: isinstance(lead.id, int))
        visits, demoed = {}, set()
        if leads:
            self.env["calendar.event"].flush_model(
                [
                    "is_sales_appointment",
                    "opportunity_id",
                    "active",
                    "start",
                    "is_no_show",
                    "appointment_type",
                    "debrief_state",
                ]
            )
            self.env["sales.debrief"].flush_model(["lead_id", "state"])
            self.env.cr.execute(
                visits_sql(SQL("event.opportunity_id = ANY(%s)", leads.ids))
            )
            visits = {row[0]: row[1:] for row in self.env.cr.fetchall()}
            self.env.cr.execute(demoed_sql(SQL("debrief.lead_id = ANY(%s)", leads.ids)))
            demoed = {row[0] for row in self.env.cr.fetchall()}
        for lead in self:
            count, issued, resets, rehashes = visits.get(lead.id, (0, None, 0, 0))
            lead.sales_appointment_count = count
            lead.sales_is_set = lead.id in visits
            lead.sales_issued_date = issued or False
            lead.sales_is_demoed = lead.id in demoed
            lead.sales_reset_count = resets
            lead.sales_rehash_count = rehashes

    @api.depends("active", "stage_id.is_won")
    def _compute_sales_is_won(self):
        for lead in self:
            lead.sales_is_won = lead.active and lead.stage_id.is_won

    @api.depends("user_id", "company_id")
    def _compute_coordinator_id(self):
        for lead in self:
            coordinator = lead.user_id.coordinator_id
            if coordinator and coordinator._sales_coordinates(lead.company_id):
                lead.coordinator_id = coordinator
            elif lead.coordinator_id and not lead.coordinator_id._sales_coordinates(
                lead.company_id
            ):
                # Moved to a company its coordinator does not work for: the
                # advisor's stand-in or that company's calls of nobody.
                lead.coordinator_id = lead._sales_stand_in(lead.coordinator_id)

    @api.constrains("coordinator_id", "company_id")
    def _check_coordinator_id(self):
        for lead in self:
            coordinator = lead.coordinator_id
            if coordinator and not coordinator._sales_coordinates(lead.company_id):
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a sales coordinator of %(company)s, so the "
                        "calls of “%(lead)s” would reach nobody: choose one of its "
                        "coordinators, or leave the coordinator empty for the "
                        "company's coordinators to share.",
                        user=coordinator.name,
                        company=lead.company_id.name or self.env._("any company"),
                        lead=lead.display_name,
                    )
                )

    def _sales_company(self):
        """The company whose settings apply to the lead: its own, else its
        coordinator's main company, else the current company, as
        ``_not_contacted_sql`` has it."""
        self.ensure_one()
        return self.company_id or self.coordinator_id.company_id or self.env.company

    def _sales_tz(self):
        """The time zone the lead's calls are agreed in: its coordinator's,
        else its owner's (the advisor's), else the writer's, else UTC."""
        self.ensure_one()
        return self.coordinator_id.tz or self.user_id.tz or self.env.user.tz or "UTC"

    def _sales_stand_in(self, leaving):
        """Who works the lead ``self`` instead of ``leaving``: its advisor's
        coordinator, else their backup coordinator, when they coordinate for the
        lead's company; else nobody (the company's calls of nobody)."""
        self.ensure_one()
        advisor = self.user_id
        for candidate in (advisor.coordinator_id, advisor.backup_coordinator_id):
            if (
                candidate
                and candidate != leaving
                and candidate._sales_coordinates(self.company_id)
            ):
                return candidate
        return self.env["res.users"]

    def _sales_hand_over(self, leaving, left):
        """Give the open leads of ``leaving`` (and their leads with calls still
        queued) whose company they no longer coordinate for (``left(company)``)
        to their stand-in (``_sales_stand_in``)."""
        leads = self.with_context(active_test=False).search(
            [
                ("coordinator_id", "=", leaving.id),
                "|",
                ("active", "=", True),
                ("followup_ids.state", "in", OPEN_STATES),
            ]
        )
        leads = leads.filtered(lambda lead: left(lead.company_id))
        for stand_in, group in leads.grouped(
            lambda lead: lead._sales_stand_in(leaving)
        ).items():
            group.write({"coordinator_id": stand_in.id})

    def init(self):
        create_indexes(self.env.cr, self._table)

    @api.depends("first_contact_date", "arrival_date")
    def _compute_response_hours(self):
        for lead in self:
            arrival = lead.arrival_date
            if lead.first_contact_date and arrival:
                seconds = (lead.first_contact_date - arrival).total_seconds()
                lead.response_hours = max(seconds, 0) / 3600
            else:
                lead.response_hours = 0

    def _not_contacted_domain(self):
        """The leads nobody contacted for their company's delay, now (see
        ``_not_contacted_sql``, the one definition, which the board reads
        too)."""
        self._flush_not_contacted()
        condition = self._not_contacted_sql(
            SQL.identifier("lead"), fields.Datetime.now()
        )
        return [
            (
                "id",
                "in",
                SQL("(SELECT lead.id FROM crm_lead lead WHERE %s)", condition),
            )
        ]

    @api.model
    def _not_contacted_sql(self, lead, now, company=None):
        """Whether nobody contacted the lead ``lead`` (an SQL alias of crm_lead)
        for too long at ``now``, as an SQL condition: an open lead (won leads
        are at 100%, as crm keeps them; empty until crm's scoring has leads to
        learn from, on a new database) silent since its last contact, or its
        arrival without one, for longer than the delay of the lead's company
        (without one, of the main company of its coordinator, in whose row of
        the board it counts; else the current company's).

        ``company``, an SQL expression: the company that is, by the caller's
        own condition, the lead's as above for every lead read (the board's
        row of a coordinator in one company); its delay is then read once, not
        for each lead."""
        if company is None:
            company = SQL(
                """COALESCE(
                       %(lead)s.company_id,
                       (SELECT coordinator.company_id FROM res_users coordinator
                         WHERE coordinator.id = %(lead)s.coordinator_id),
                       %(current)s)""",
                lead=lead,
                current=self.env.company.id,
            )
        return SQL(
            """%(lead)s.active AND %(lead)s.type IN ('lead', 'opportunity')
               AND (%(lead)s.probability < 100 OR %(lead)s.probability IS NULL)
               AND COALESCE(%(lead)s.last_contact_date, %(lead)s.arrival_date)
                   < %(now)s::timestamp - make_interval(days => (
                   SELECT company.sales_not_contacted_days FROM res_company company
                    WHERE company.id = %(company)s))""",
            lead=lead,
            now=now,
            company=company,
        )

    def _flush_not_contacted(self):
        """What ``_not_contacted_sql`` reads, written to the database."""
        self.env["crm.lead"].flush_model(
            [
                "active",
                "type",
                "probability",
                "last_contact_date",
                "arrival_date",
                "company_id",
                "coordinator_id",
            ]
        )
        self.env["res.users"].flush_model(["company_id"])
        self.env["res.company"].flush_model(["sales_not_contacted_days"])

    def _compute_is_not_contacted(self):
        saved = self.filtered(lambda lead: isinstance(lead.id, int))
        # sudo, archived included: a flag of the leads being read, which the
        # user already reads.
        neglected = (
            saved.sudo()
            .with_context(active_test=False)
            .search([("id", "in", saved.ids), *self._not_contacted_domain()])
            if saved
            else saved
        )
        for lead in self:
            lead.is_not_contacted = lead in neglected

    def _search_is_not_contacted(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on Not Contacted."))
        domain = expression.normalize_domain(self._not_contacted_domain())
        return domain if (operator == "=") == value else ["!", *domain]

    def _compute_call_count(self):
        counts = dict(
            self.env["sales.call"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.call_count = counts.get(lead, 0)

    @api.constrains("referred_by_id", "partner_id")
    def _check_referred_by_id(self):
        for lead in self:
            if lead.referred_by_id and lead.referred_by_id == lead.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(customer)s cannot have referred themselves: choose who "
                        "told them about us, or leave “Referred By” empty.",
                        customer=lead.partner_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_lead_entry()
        self._sales_check_workflow_create(vals_list)
        # Copies: Odoo runs a request again with the same arguments after a
        # serialization failure, and the arrival set here is not the caller's.
        vals_list = [dict(vals) for vals in vals_list]
        now = fields.Datetime.now()
        for vals in vals_list:
            vals.setdefault("arrival_date", now)
            if "calendar_event_ids" not in vals and "debrief_ids" not in vals:
                # A new lead has no appointment yet: nothing to look up.
                vals.update(NO_FUNNEL)
        return super().create(vals_list)

    @api.model
    def _check_lead_entry(self):
        """Under the company's “coordinators own lead entry” setting, refuse new
        leads from field advisors: they pass them on to their coordinator."""
        user = self.env.user
        if (
            self.env.su
            or not user.is_field_advisor
            or not self.env.company.sales_lead_entry_restricted
            or user.has_group("sales_coordination.group_coordinator")
        ):
            return
        raise AccessError(
            self.env._(
                "Your coordinator enters the leads here: pass the customer's details "
                "on to %(coordinator)s instead of creating the lead yourself.",
                coordinator=user.coordinator_id.name or self.env._("your coordinator"),
            )
        )

    def action_book_appointment(self):
        """Open the booking proposals for this lead (the wizard is saved first, so
        that each proposal can be booked with one click)."""
        self.ensure_one()
        wizard = self.env["sales.booking.wizard"].create({"lead_id": self.id})
        return wizard._get_records_action(
            name=self.env._("Book an Appointment"), target="new", context={}
        )

    # The lead's form right after a booking, a debrief or a call on it.
    @on_primary
    def web_read(self, *args, **kwargs):
        return super().web_read(*args, **kwargs)

    def write(self, vals):
        self._sales_check_workflow_write(vals)
        if "phone" in vals and "sales_wrong_number" not in vals:
            vals = dict(vals, sales_wrong_number=False)
        former = (
            {lead: lead.partner_id for lead in self} if "partner_id" in vals else {}
        )
        result = super().write(vals)
        if former:
            self._sales_follow_customer(former)
        if "lost_reason_id" in vals:
            self._sales_end_final_rehash()
        return result

    def _sales_end_final_rehash(self):
        """A lost lead's reason became final: its rehash call goes (a no for
        good is never called again)."""
        final = self.filtered(
            lambda lead: not lead.active and lead.lost_reason_id.sales_is_final
        )
        if not final:
            return
        # The queue follows the lead, whoever says why it was lost.
        self.env["sales.followup"]._cancel_open_for(leads=final)

    def _sales_follow_customer(self, former):
        """The lead's contact changed (``former``: the contact each lead had).
        Its upcoming sales appointments invite the new contact in place of the
        former when the advisor's coordinator, backup coordinator or a manager
        changed it; anyone else's change invites nobody, and the coordinator
        gets an activity to decide (action_sales_invite_lead_contact)."""
        changed = self.filtered(lambda lead: lead.partner_id != former[lead])
        if not changed:
            return
        # sudo: the appointments follow the lead's contact, whoever sets it (an
        # advisor may not move their own appointments); who may re-invite is
        # checked below.
        events = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("opportunity_id", "in", changed.ids),
                    ("is_sales_appointment", "=", True),
                    ("start", ">", fields.Datetime.now()),
                ]
            )
        )
        Event = self.env["calendar.event"]
        scheduled = events.browse()
        for advisor, appointments in events.grouped("advisor_id").items():
            try:
                Event._check_sales_appointment_access(advisor)
            except AccessError:
                continue
            scheduled |= appointments
        scheduled._sales_follow_lead_contacts()
        (events - scheduled).filtered(
            "sales_contact_changed"
        )._sales_tell_contact_changed(former)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        # unlink() archives these instead; this guards the other ways in.
        held = self._sales_with_history()
        if held:
            raise UserError(
                self.env._(
                    "“%(lead)s” holds logged calls or debriefs that the boards and "
                    "the funnel count: archive it instead (or delete its calls and "
                    "debriefs first).",
                    lead=held[0].display_name,
                )
            )

    def unlink(self):
        # Leads that hold history are archived instead, whoever deletes them
        # (a sweeping delete, a script): a manager deletes the calls and
        # debriefs first to delete such a lead.
        kept = self._sales_with_history()
        if kept:
            kept.action_archive()
            for lead in kept:
                lead._message_log(
                    body=self.env._(
                        "Archived rather than deleted: its logged calls and debriefs "
                        "stay on record."
                    )
                )
        return super(CrmLead, self - kept).unlink()

    def _sales_with_history(self):
        """Those of these leads with logged calls or debriefs."""
        if not self.ids:
            return self.browse()
        ids = set()
        # sudo: history this user may not read still counts.
        for model in ("sales.call", "sales.debrief"):
            groups = (
                self.env[model]
                .sudo()
                ._read_group([("lead_id", "in", self.ids)], ["lead_id"])
            )
            ids.update(lead.id for (lead,) in groups)
        return self.filtered(lambda lead: lead.id in ids)

    def action_schedule_call(self):
        """Queue a call the customer asked for (a callback)."""
        self.ensure_one()
        return self.env["sales.followup"]._get_records_action(
            name=self.env._("Schedule a Call"),
            target="new",
            context={"default_lead_id": self.id, "default_kind": "callback"},
        )

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_coordination.sales_followup_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def _handle_won_lost(self, vals):
        """A definitive yes or no ends the calls: open follow-ups are cancelled;
        a yes queues the happy call."""
        super()._handle_won_lost(vals)
        # The stage written, read from the cache crm's own handler just filled.
        new_stage = self.env["crm.stage"].browse(vals.get("stage_id"))
        reach_won = self.filtered(
            lambda lead: new_stage.is_won and not lead.stage_id.is_won
        )
        reach_lost = self.filtered(
            lambda lead: "active" in vals and not vals["active"] and lead.active
        )
        ended = reach_won | reach_lost
        if not ended.ids:
            return
        # The queue follows the lead, whoever wins or loses it (an advisor may
        # press Won on their own opportunity but never edits the queue).
        Followup = self.env["sales.followup"]
        Followup._cancel_open_for(leads=ended)
        # sudo: the happy call follows the lead, whoever wins it.
        Followup.sudo()._queue_happy_calls(reach_won.filtered("id").sudo())

    def _compute_followup_count(self):
        counts = dict(
            self.env["sales.followup"]._read_group(
                self.env["sales.followup"]._open_domain(leads=self),
                ["lead_id"],
                ["__count"],
            )
        )
        for lead in self:
            lead.followup_count = counts.get(lead, 0)

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_coordination.sales_call_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def log_meeting(self, meeting):
        # crm's chatter line of a new appointment, posted as whoever booked it:
        # a coordinator without an e-mail address still books it.
        with side_effect(self.env, "The new appointment's chatter line"):
            return super().log_meeting(meeting)
        return False

    def _notify_thread(self, message, msg_vals=False, **kwargs):
        recipients_data = super()._notify_thread(message, msg_vals=msg_vals, **kwargs)
        # An e-mail sent to the customer from the lead is a contact: one of ours
        # wrote it and the customer is among those it is e-mailed to now. A
        # message to colleagues only, a note or a scheduled one is none.
        if (
            len(self) == 1
            and message.message_type == "comment"
            and not message.is_internal
            and any(not user.share for user in message.author_id.user_ids)
            and not self._is_notification_scheduled(kwargs.get("scheduled_date"))
            and self._sales_emails_customer(recipients_data)
        ):
            when = message.date or fields.Datetime.now()
            self._sales_record_contact((when, when))
        return recipients_data

    def _sales_emails_customer(self, recipients_data):
        """Whether ``recipients_data`` (mail's, of a message being notified)
        e-mails this lead's customer: its contact, or whoever has its e-mail
        address."""
        self.ensure_one()
        emailed = self.env["res.partner"].browse(
            data["id"] for data in recipients_data or () if data["notif"] == "email"
        )
        return any(
            partner.email_normalized
            and (
                partner == self.partner_id
                or partner.email_normalized == self.email_normalized
            )
            for partner in emailed
        )

    def _sales_record_contact(self, *contacts):
        """Record contacts with the customer, each a ``(start, end)`` pair (a
        call from its start to its end; an e-mail at one moment): the first and
        last contact dates."""
        for lead in self:
            values = {}
            # The first contact answers the lead: one over before it arrived
            # (a call logged on the lead it was merged into, the last days'
            # calls on a lead entered afterwards) answered something else, and
            # would make its speed to lead below nothing (shown as 00:00). A
            # call still going on when it arrived reached the customer then.
            replies = [
                start
                for start, end in contacts
                if not lead.arrival_date or end >= lead.arrival_date
            ]
            first = min(replies, default=None)
            if first and (
                not lead.first_contact_date or lead.first_contact_date > first
            ):
                values["first_contact_date"] = first
            last = max(start for start, _end in contacts)
            if not lead.last_contact_date or lead.last_contact_date < last:
                values["last_contact_date"] = last
                values["not_contacted_alerted"] = False
            if values:
                lead._sales_write_workflow(values)

    @api.model
    def _sales_phone_e164(self, number, country=None):
        """``number`` in E.164 form (the company's country for local numbers), or
        False when it is not a phone number."""
        if not number:
            return False
        if number.lstrip().startswith("+"):
            # The number says its country: reading the company's (or the
            # contact's) would cost a query and change nothing.
            return self._phone_format_number(
                number,
                self.env["res.country"],
                force_format="E164",
                raise_exception=False,
            )
        country = country or self.env.company.country_id
        return self._phone_format(
            number=number, country=country, force_format="E164", raise_exception=False
        )

    @api.model
    def _sales_find_matches(self, phone=None, email=None, limit=10):
        """Open leads and contacts matching ``phone`` (any form) or ``email``,
        within the current user's access, in one query: the coordinator waits
        for it with the customer on the line. Returns (leads, partners)."""
        e164 = self._sales_phone_e164(phone)
        normalized = email_normalize(email) if email else False
        Partner = self.env["res.partner"]
        if not (e164 or normalized):
            return self.browse(), Partner
        # The user's rules and the active leads (named: whatever the caller's
        # active_test), from the ORM; the match itself in SQL, as the
        # contacts' below: parsing a domain of five conditions cost as much as
        # running the whole query.
        leads = self._search([("active", "=", True)], limit=limit, order=self._order)

        def column(name):
            return self._field_to_sql(leads.table, name, leads)

        matches = []
        if e164:
            matches.append(SQL("%s = %s", column("phone_sanitized"), e164))
        if normalized:
            matches.append(SQL("%s = %s", column("email_normalized"), normalized))
        # Open: the stored sales_is_won is the stage's is_won for an active
        # lead, without a join to the stages.
        leads.add_where(
            SQL(
                "(%s) AND %s IS NOT NULL AND %s IS NOT TRUE",
                SQL(" OR ").join(matches),
                column("stage_id"),
                column("sales_is_won"),
            )
        )
        partners = Partner._sales_match_query(e164, normalized)
        # One row per match: the lead's id and contact, or the contact's id,
        # e-mail, numbers and country (its numbers are compared in full here).
        rows = self.env.execute_query(
            SQL(
                "(%s) UNION ALL (%s)",
                leads.select(
                    SQL("TRUE"),
                    column("id"),
                    column("partner_id"),
                    SQL("NULL::varchar, NULL::varchar, NULL::varchar, NULL::int4"),
                ),
                partners.select(
                    SQL("FALSE"),
                    Partner._field_to_sql(partners.table, "id", partners),
                    SQL("NULL::int4"),
                    *(
                        Partner._field_to_sql(partners.table, name, partners)
                        for name in PARTNER_MATCH_COLUMNS
                    ),
                ),
            )
        )
        lead_rows = [row for row in rows if row[0]]
        partner_rows = sorted((row for row in rows if not row[0]), key=lambda r: r[1])
        partner_ids = [
            row[1] for row in partner_rows if normalized and row[3] == normalized
        ][:limit]
        if e164:
            partner_ids += Partner._sales_phone_matches(
                e164, [(row[1], *row[4:]) for row in partner_rows]
            )
        partner_ids += [row[2] for row in lead_rows if row[2]]
        return (
            self.browse(row[1] for row in lead_rows),
            Partner.browse(list(dict.fromkeys(partner_ids))[:limit]),
        )

    @api.model
    def _cron_alert_not_contacted(self, batch=500):
        """Put one activity on the coordinator of each lead nobody contacted for the
        company's delay (once per silence: a contact re-arms it), ``batch`` leads
        per call of the scheduler (see ``tools/cron.py``), each company on its
        own. Only the leads that reached the delay in the last day are e-mailed
        to their coordinator; an older backlog (the first run on a database
        that holds one, a scheduler stopped for days) gets its activities
        without e-mails. Returns the number of leads alerted."""
        # Each company has its own delay; companies are few.
        companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        return run_batch(
            self.env,
            "The not-contacted alert",
            companies,
            self._alert_not_contacted,
            batch,
        )

    @api.model
    def _alert_not_contacted(self, company, limit):
        """Alert at most ``limit`` leads of ``company`` (or of no company) that
        nobody contacted for its delay. Returns how many."""
        leads = (
            self.with_company(company)
            .with_context(allowed_company_ids=company.ids)
            .search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("not_contacted_alerted", "=", False),
                    ("is_not_contacted", "=", True),
                ],
                limit=limit,
                order="id",
            )
        )
        if not leads:
            return 0
        now = fields.Datetime.now()
        activity_type = self.env.ref("sales_coordination.mail_activity_type_contact")

        def key(lead):
            user = lead.coordinator_id or lead.user_id.coordinator_id or lead.user_id
            silence = lead.last_contact_date or lead.arrival_date
            # The delay that made it silent: its company's, whichever company's
            # batch found it. Reached in the last day: notified now.
            days = lead.with_company(company)._sales_company().sales_not_contacted_days
            fresh = now - timedelta(days=days + 1)
            return user, bool(silence and silence >= fresh), days

        for (user, notify, days), group in leads.grouped(key).items():
            if not user:
                continue
            note = self.env._(
                "Nobody has contacted this customer for %(days)s days.", days=days
            )
            with side_effect(self.env, "The not-contacted activities"):
                group.with_context(
                    mail_activity_quick_update=not notify
                ).activity_schedule(
                    activity_type_id=activity_type.id, user_id=user.id, note=note
                )
        leads._sales_write_workflow({"not_contacted_alerted": True})
        return len(leads)

    # ------------------------------------------------------------------
    # crm's merge: what is ours goes to the kept lead
    # ------------------------------------------------------------------

    def _merge_opportunity(
        self, user_id=False, team_id=False, auto_unlink=True, max_length=5
    ):
        self._sales_check_merge()
        return super()._merge_opportunity(
            user_id=user_id,
            team_id=team_id,
            auto_unlink=auto_unlink,
            max_length=max_length,
        )

    def _sales_merge_duplicates(self, duplicates):
        """Merge ``duplicates`` into the lead ``self``, the one the coordinator
        chose to keep (its values win where both have one); crm's merge and
        its rules otherwise. Returns the kept lead."""
        self.ensure_one()
        token = _MERGE_HEAD.set(self.id)
        try:
            return (self | duplicates).merge_opportunity()
        finally:
            _MERGE_HEAD.reset(token)

    def _sort_by_confidence_level(self, reverse=False):
        leads = super()._sort_by_confidence_level(reverse=reverse)
        head = _MERGE_HEAD.get()
        if head in leads.ids:
            kept = leads.browse(head)
            # crm's merge keeps the first of the reversed order.
            leads = kept | (leads - kept) if reverse else (leads - kept) | kept
        return leads

    def _sales_check_merge(self):
        """Only a coordinator merges leads that hold the coordination's history
        (calls, follow-ups, appointments, debriefs, inbound events): a merge
        decides which customer, advisor and source the funnel counts. Leads
        without any (crm's own use) merge as crm lets them."""
        if self.env.su or self.env.user._has_group(
            "sales_coordination.group_coordinator"
        ):
            return
        # sudo: whether any such record exists, whoever may read it.
        ids = self.ids
        held = any(
            self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search_count(domain, limit=1)
            for model, domain in (
                ("sales.call", [("lead_id", "in", ids)]),
                ("sales.followup", [("lead_id", "in", ids)]),
                ("sales.debrief", [("lead_id", "in", ids)]),
                ("sales.inbound.event", [("lead_id", "in", ids)]),
                (
                    "calendar.event",
                    [
                        ("opportunity_id", "in", ids),
                        ("is_sales_appointment", "=", True),
                    ],
                ),
            )
        )
        if held:
            raise AccessError(
                self.env._(
                    "Only a sales coordinator may merge these leads: they hold calls, "
                    "follow-ups or appointments of the coordination, and merging them "
                    "decides which customer, advisor and source these count for. Ask "
                    "your coordinator to merge them."
                )
            )

    def _merge_get_fields(self):
        return super()._merge_get_fields() + [
            "referred_by_id",
            "tracking_number_id",
            "coordinator_id",
            "reach_weekday",
            "reach_daypart",
        ]

    def _merge_get_fields_specific(self):
        return {
            **super()._merge_get_fields_specific(),
            "perceived_need": lambda fname, leads: "\n\n".join(
                dict.fromkeys(need for need in leads.mapped("perceived_need") if need)
            )
            or False,
            "urgency": lambda fname, leads: min(
                (lead.urgency for lead in leads if lead.urgency),
                key=URGENCY_ORDER.index,
                default=False,
            ),
        }

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        self._sales_merge_history(opportunities)
        return result

    def _merge_dependences_calendar_events(self, opportunities):
        # Every appointment of the merged leads, cancelled ones included (they
        # count in the funnel), goes to the kept lead, whoever may see it: crm
        # only moves the active meetings the user reads, and the others would
        # lose their lead when the merged ones are deleted.
        # sudo: crm's merge checked the user may merge these leads.
        self.env["calendar.event"].sudo().with_context(active_test=False).search(
            [("opportunity_id", "in", opportunities.ids)]
        )._sales_move_to_lead(self)
        return super()._merge_dependences_calendar_events(opportunities)

    def _sales_merge_history(self, opportunities):
        """Move the logged calls, follow-ups and inbound events of
        ``opportunities`` to this lead, fold its open calls of the same purpose
        into one and keep the earliest arrival and contact dates."""
        self.ensure_one()
        # sudo: crm's merge checked the user may merge these leads; the history
        # moves whole, whoever may read each part of it.
        leads = (self | opportunities).sudo()
        calls = (
            self.env["sales.call"].sudo().search([("lead_id", "in", opportunities.ids)])
        )
        calls.write({"lead_id": self.id})
        followups = (
            self.env["sales.followup"]
            .sudo()
            .search([("lead_id", "in", opportunities.ids)])
        )
        followups._sales_merge_into(self)
        inbound = (
            self.env["sales.inbound.event"]
            .sudo()
            .search([("lead_id", "in", opportunities.ids)])
        )
        inbound.write({"lead_id": self.id})

        def earliest(name):
            return min(filter(None, leads.mapped(name)), default=False)

        contacts = filter(None, leads.mapped("last_contact_date"))
        last_contact = max(contacts, default=False)
        values = {
            "arrival_date": earliest("arrival_date"),
            "first_contact_date": earliest("first_contact_date"),
            "last_contact_date": last_contact,
        }
        if last_contact != self.last_contact_date:
            values["not_contacted_alerted"] = False
        self._sales_write_workflow(values)
        if calls or followups or inbound:
            self._message_log(
                body=self.env._(
                    "Merged here: %(calls)s logged calls, %(followups)s follow-up "
                    "calls and %(events)s inbound events.",
                    calls=len(calls),
                    followups=len(followups),
                    events=len(inbound),
                )
            )
