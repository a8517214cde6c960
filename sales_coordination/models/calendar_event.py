import contextvars
from datetime import timedelta
from urllib.parse import quote as url_quote

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_datetime, plaintext2html

from ..tools.cron import run_batch
from ..tools.indexes import create_indexes
from ..tools.replica import on_primary
from ..tools.side_effect import side_effect
from ..tools.visits import customer_response_sql, next_types_sql
from ..tools.workflow import is_owned, owning
from .sales_workflow_mixin import EMPTY

# Changing any of these books, moves, re-assigns or cancels a sales appointment.
SCHEDULING_FIELDS = frozenset(
    {
        "start",
        "stop",
        "start_date",
        "stop_date",
        "allday",
        "duration",
        "advisor_id",
        "user_id",
        "opportunity_id",
        "is_sales_appointment",
        "active",
        "partner_ids",
        "attendee_ids",
        "recurrency",
        "appointment_type",
        "is_no_show",
    }
)


# Set while Odoo's import (load) creates appointments: a variable of the running
# code, not the ``import_file`` key of Odoo's context, which any client may send
# with a plain create.
_IMPORTING = contextvars.ContextVar("sales_coordination_importing", default=False)

# Visit types the rules derive from the lead's history (they count in the funnel);
# the others a coordinator may correct.
DERIVED_TYPES = frozenset({"reset", "rehash"})
# Privacy values that keep a sales appointment in view of the advisor's
# coordinators (a private one would show them "Busy" and refuse their changes).
SALES_PRIVACY = ("public", "confidential")

CUSTOMER_RESPONSES = [
    ("none", "No Answer Yet"),
    ("accepted", "Confirmed by the Customer"),
    ("declined", "Declined by the Customer"),
]
# Changing any of these may change who the customer attendee is.
CUSTOMER_FIELDS = frozenset(
    {"opportunity_id", "partner_ids", "attendee_ids", "is_sales_appointment"}
)

APPOINTMENT_TYPES = [
    ("new", "New"),
    ("reset", "Reset"),
    ("rehash", "Rehash"),
    ("follow_up", "Follow-up Visit"),
]

# Changing any of these may break working hours, overlaps or capacity.
RESCHEDULING_FIELDS = frozenset(
    {
        "start",
        "stop",
        "start_date",
        "stop_date",
        "allday",
        "duration",
        "advisor_id",
        "is_sales_appointment",
        "active",
        "opportunity_id",
    }
)


class CalendarEvent(models.Model):
    _name = "calendar.event"
    _inherit = ["calendar.event", "sales.workflow.mixin"]
    _sales_workflow_fields = {
        "is_no_show": EMPTY,
        "debrief_state": frozenset({"none"}),
        "booked_by_id": EMPTY,
        "debrief_overdue_alerted": EMPTY,
        "customer_response": frozenset({"none"}),
        # The opportunity's, kept for the multi-company rule: never written.
        "sales_company_id": EMPTY,
        "sales_customer_id": EMPTY,
    }

    is_sales_appointment = fields.Boolean(
        string="Sales Appointment",
        index=True,
        copy=False,
        help="An appointment a field advisor runs at a customer's for an "
        "opportunity; only their coordinators and managers book, move or cancel it.",
    )
    sales_customer_phone = fields.Char(
        related="opportunity_id.phone", string="Customer's Phone"
    )
    sales_map_url = fields.Char(
        string="Map",
        compute="_compute_sales_map_url",
        help="The visit's address on a map, for the advisor on the road.",
    )
    sales_drive_minutes = fields.Float(
        string="Drive Before (min)",
        compute="_compute_sales_route",
        help="The drive from the advisor's previous visit that day, or from their "
        "home for the first one.",
    )
    sales_day_drive_minutes = fields.Float(
        string="Day's Drive (min)",
        compute="_compute_sales_route",
        help="The advisor's driving that day: from home, between the visits, home.",
    )
    sales_drive_source = fields.Selection(
        [("road", "Road"), ("estimate", "Estimate")],
        string="Drive From",
        compute="_compute_sales_route",
    )
    advisor_id = fields.Many2one(
        "res.users",
        string="Field Advisor",
        index="btree_not_null",
        domain=[("is_field_advisor", "=", True)],
        tracking=True,
        help="The advisor who runs the appointment: its organiser and an attendee.",
    )
    sales_company_id = fields.Many2one(
        related="opportunity_id.company_id",
        store=True,
        string="Company of the Opportunity",
        help="Kept on the appointment so that the multi-company rule reads it "
        "without going through every lead.",
    )
    booked_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The coordinator or manager who booked the appointment.",
    )

    appointment_type = fields.Selection(
        APPOINTMENT_TYPES,
        string="Visit Type",
        copy=False,
        index="btree_not_null",
        help="New: the lead's first visit. Reset: rebooked after a no-show or a "
        "cancellation. Rehash: another visit after a demo without a sale. "
        "Follow-up visit: agreed in a debrief. Set when the appointment is booked; "
        "it can be corrected.",
    )
    is_no_show = fields.Boolean(
        string="No-show",
        readonly=True,
        copy=False,
        tracking=True,
        help="Nobody was home, or the customer cancelled at the door or the day "
        "before: no debrief, and a reset call is queued.",
    )
    debrief_state = fields.Selection(
        [("none", "Not Yet"), ("due", "Due"), ("done", "Done")],
        string="Debrief",
        default="none",
        required=True,
        index=True,
        copy=False,
        help="Due once the appointment has ended, done once its debrief is confirmed.",
    )
    debrief_ids = fields.One2many("sales.debrief", "event_id", string="Debriefs")
    is_debrief_overdue = fields.Boolean(
        string="Debrief Overdue",
        compute="_compute_is_debrief_overdue",
        search="_search_is_debrief_overdue",
    )
    debrief_overdue_alerted = fields.Boolean(copy=False, readonly=True)
    sales_started = fields.Boolean(
        string="Started",
        compute="_compute_sales_started",
        help="The visit has started: its advisor may record its result.",
    )
    sales_customer_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The contact invited as the customer (the opportunity's contact at "
        "the booking): their answer is the customer's answer. It changes only "
        "when the advisor's coordinator or a manager changes the opportunity's "
        "contact or invites the new one.",
    )
    sales_contact_changed = fields.Boolean(
        compute="_compute_sales_contact_changed",
        help="The opportunity's contact is no longer the customer invited.",
    )
    customer_response = fields.Selection(
        CUSTOMER_RESPONSES,
        string="Customer's Answer",
        compute="_compute_customer_response",
        store=True,
        readonly=True,
        copy=False,
        help="The customer's answer to the invitation, from Accept or Decline in "
        "the e-mail they received (their own attendee's answer). Accepted ends "
        "the confirmation call; declined queues a call to rebook the visit.",
    )

    def init(self):
        create_indexes(self.env.cr, self._table)

    @api.depends(
        "is_sales_appointment",
        "sales_customer_id",
        "attendee_ids.partner_id",
        "attendee_ids.state",
    )
    def _compute_customer_response(self):
        # One definition of the answer, in SQL (tools/visits.py): the bulk
        # fills write the same. Other events have none, without a query (the
        # calendar's own creations keep their cost: Google's recurrence test
        # counts them).
        saved = self.filtered(
            lambda event: isinstance(event.id, int) and event.is_sales_appointment
        )
        answers = {}
        if saved:
            self.env["calendar.attendee"].flush_model(
                ["event_id", "partner_id", "state"]
            )
            self.flush_model(["is_sales_appointment", "sales_customer_id"])
            self.env.cr.execute(
                customer_response_sql(SQL("event.id = ANY(%s)", saved.ids))
            )
            answers = dict(self.env.cr.fetchall())
        for event in self:
            event.customer_response = answers.get(event.id, "none")

    @api.depends(
        "is_sales_appointment", "sales_customer_id", "opportunity_id.partner_id"
    )
    def _compute_sales_contact_changed(self):
        for event in self:
            event.sales_contact_changed = event.is_sales_appointment and (
                event.opportunity_id.partner_id != event.sales_customer_id
            )

    def _sales_customer(self):
        """The customer of this sales appointment (the contact invited as the
        customer), or an empty recordset."""
        self.ensure_one()
        if not self.is_sales_appointment:
            return self.env["res.partner"]
        return self.sales_customer_id

    def _sales_company(self):
        """The company whose settings apply to the appointment: its own (its
        lead's), else the main company of its advisor's coordinator, else the
        current company, as ``_debrief_overdue_sql`` has it."""
        self.ensure_one()
        return (
            self.sales_company_id
            or self.advisor_id.coordinator_id.company_id
            or self.env.company
        )

    def _debrief_overdue_domain(self):
        """The appointments whose debrief is overdue now (see
        ``_debrief_overdue_sql``, the one definition, which the board reads
        too)."""
        self._flush_debrief_overdue()
        condition = self._debrief_overdue_sql(
            SQL.identifier("event"), fields.Datetime.now()
        )
        return [
            (
                "id",
                "in",
                SQL("(SELECT event.id FROM calendar_event event WHERE %s)", condition),
            )
        ]

    @api.model
    def _debrief_overdue_sql(self, event, now):
        """Whether the debrief of the appointment ``event`` (an SQL alias of
        calendar_event) is overdue at ``now``, as an SQL condition: a sales
        appointment that took place, whose debrief is due since longer than
        the delay of the appointment's company (without one, of the main
        company of its advisor's coordinator, in whose row of the board it
        counts; else the current company's)."""
        return SQL(
            """%(event)s.is_sales_appointment
               AND %(event)s.is_no_show IS NOT TRUE
               AND %(event)s.debrief_state = 'due'
               AND %(event)s.stop < %(now)s::timestamp - make_interval(hours => (
                   SELECT company.sales_debrief_overdue_hours FROM res_company company
                    WHERE company.id = COALESCE(
                          %(event)s.sales_company_id,
                          (SELECT coordinator.company_id FROM res_users advisor
                             JOIN res_users coordinator
                               ON coordinator.id = advisor.coordinator_id
                            WHERE advisor.id = %(event)s.advisor_id),
                          %(company)s)))""",
            event=event,
            now=now,
            company=self.env.company.id,
        )

    def _flush_debrief_overdue(self):
        """What ``_debrief_overdue_sql`` reads, written to the database."""
        self.env["calendar.event"].flush_model(
            [
                "is_sales_appointment",
                "is_no_show",
                "debrief_state",
                "stop",
                "sales_company_id",
                "advisor_id",
            ]
        )
        self.env["res.users"].flush_model(["coordinator_id", "company_id"])
        self.env["res.company"].flush_model(["sales_debrief_overdue_hours"])

    def _compute_is_debrief_overdue(self):
        saved = self.filtered(lambda event: isinstance(event.id, int))
        # sudo, archived included: a flag of the appointments being read, which
        # the user already reads.
        overdue = (
            saved.sudo()
            .with_context(active_test=False)
            .search([("id", "in", saved.ids), *self._debrief_overdue_domain()])
            if saved
            else saved
        )
        for event in self:
            event.is_debrief_overdue = event.id in overdue.ids

    def _compute_sales_started(self):
        now = fields.Datetime.now()
        for event in self:
            event.sales_started = bool(event.start and event.start <= now)

    def _search_is_debrief_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on Debrief Overdue."))
        domain = self._debrief_overdue_domain()
        return domain if (operator == "=") == value else ["!", *domain]

    @api.model
    def _cron_debrief_states(self, batch=500):
        """Appointments that have ended become due; those due past the company's
        delay become overdue, and their coordinator gets one activity (an
        e-mail only for those overdue since the last day: an older backlog gets
        its activities without e-mails). ``batch`` records per call of the
        scheduler, each company on its own (see ``tools/cron.py``). Returns the
        number of records moved."""
        # Each company has its own delay; companies are few.
        companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        return run_batch(
            self.env,
            "The debriefs' states",
            companies,
            self._debrief_states,
            batch,
        )

    @api.model
    def _debrief_states(self, company, limit):
        """At most ``limit`` appointments of ``company`` (or of a lead of no
        company) moved to due or alerted overdue, and confirmation calls spent.
        Returns how many."""
        now = fields.Datetime.now()
        of_company = [("opportunity_id.company_id", "in", (company.id, False))]
        ended = self.search(
            [
                *of_company,
                ("is_sales_appointment", "=", True),
                ("is_no_show", "=", False),
                ("debrief_state", "=", "none"),
                ("stop", "<=", now),
            ],
            limit=limit,
            order="id",
        )
        ended.write({"debrief_state": "due"})
        done = len(ended)
        if done >= limit:
            return done
        # Confirmation calls nobody made in time have no purpose left.
        done += len(
            self.env["sales.followup"]._sales_close_spent(company, limit - done)
        )
        if done >= limit:
            return done
        overdue = self.with_company(company).search(
            [
                *of_company,
                ("debrief_overdue_alerted", "=", False),
                ("is_debrief_overdue", "=", True),
            ],
            limit=limit - done,
            order="id",
        )
        activity_type = self.env.ref("sales_coordination.mail_activity_type_debrief")

        def key(event):
            coordinator = event.advisor_id.coordinator_id or event.booked_by_id
            # Overdue in the last day, by the delay that made it overdue (its
            # company's, whichever company's batch found it): notified now.
            delay = event._sales_company().sales_debrief_overdue_hours
            return coordinator, event.stop >= now - timedelta(hours=delay, days=1)

        for (coordinator, notify), events in overdue.grouped(key).items():
            for event in events.filtered("opportunity_id") if coordinator else ():
                with side_effect(self.env, "The overdue debrief's activity"):
                    event.opportunity_id.with_context(
                        mail_activity_quick_update=not notify
                    ).activity_schedule(
                        activity_type_id=activity_type.id,
                        user_id=coordinator.id,
                        # The name holds the lead's, which may come from a
                        # visitor or a caller: escaped.
                        note=plaintext2html(
                            self.env._(
                                "The appointment “%(event)s” has no debrief yet.",
                                event=event.name,
                            )
                        ),
                    )
        overdue.debrief_overdue_alerted = True
        return done + len(overdue)

    @api.depends("location")
    def _compute_sales_map_url(self):
        for event in self:
            event.sales_map_url = event.location and (
                "https://www.openstreetmap.org/search?query="
                + url_quote(" ".join(event.location.split()))
            )

    @api.depends("start", "stop", "advisor_id", "opportunity_id")
    def _compute_sales_route(self):
        appointments = self.filtered(
            lambda e: e.is_sales_appointment and e.advisor_id and e.id
        )
        routes = self.env["sales.appointment.scheduler"]._day_routes(appointments)
        for event in self:
            drive, day_drive, source = routes.get(event.id, (0.0, 0.0, False))
            event.sales_drive_minutes = drive
            event.sales_day_drive_minutes = day_drive
            event.sales_drive_source = source

    def action_open_debrief(self):
        self.ensure_one()
        action = self.debrief_ids[:1]._get_records_action(
            context={
                "default_event_id": self.id,
                "default_followup_daypart": self.opportunity_id.reach_daypart,
            }
        )
        if not self.env.user.has_group("sales_coordination.group_coordinator"):
            # The advisor's own form, the one they may save: the result of
            # the visit only (the model says what they may write).
            view = self.env.ref("sales_coordination.sales_debrief_view_form_advisor")
            action["views"] = [(view.id, "form")]
        return action

    @api.constrains(
        "is_sales_appointment",
        "advisor_id",
        "opportunity_id",
        "user_id",
        "partner_ids",
        "recurrency",
    )
    def _check_sales_appointment(self):
        for event in self.filtered("is_sales_appointment"):
            advisor = event.advisor_id
            if not advisor:
                raise ValidationError(
                    self.env._(
                        "The sales appointment “%(event)s” needs the field advisor "
                        "who runs it.",
                        event=event.name,
                    )
                )
            if not advisor.is_field_advisor:
                raise ValidationError(
                    self.env._(
                        "%(advisor)s is not a field advisor: only field advisors run "
                        "sales appointments.",
                        advisor=advisor.name,
                    )
                )
            if not event.opportunity_id:
                raise ValidationError(
                    self.env._(
                        "Every sales appointment belongs to an opportunity: choose "
                        "the opportunity “%(event)s” is for.",
                        event=event.name,
                    )
                )
            if not event.opportunity_id.source_id:
                raise ValidationError(
                    self.env._(
                        "Ask the customer how they heard of us and fill in the source "
                        "of “%(lead)s” before booking their appointment.",
                        lead=event.opportunity_id.name,
                    )
                )
            company = event.opportunity_id.company_id
            if company and company not in advisor.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(advisor)s does not work for %(company)s, the company of "
                        "the opportunity “%(lead)s”.",
                        advisor=advisor.name,
                        company=company.name,
                        lead=event.opportunity_id.name,
                    )
                )
            if event.user_id != advisor or advisor.partner_id not in event.partner_ids:
                raise ValidationError(
                    self.env._(
                        "%(advisor)s runs this sales appointment, so they must stay "
                        "its organiser and one of its attendees.",
                        advisor=advisor.name,
                    )
                )
            if event.recurrency:
                raise ValidationError(
                    self.env._(
                        "A sales appointment happens once: book each visit as an "
                        "appointment of its own instead of repeating it."
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_check_workflow_create(vals_list)
        # Copies: Odoo runs a request again with the same arguments after a
        # serialization failure, and what is added below is not the caller's.
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            self._check_appointment_type_value(vals.get("appointment_type"))
        for vals in vals_list:
            if vals.get("advisor_id") and "is_sales_appointment" not in vals:
                vals["is_sales_appointment"] = True
            if not vals.get("is_sales_appointment"):
                continue
            advisor = self.env["res.users"].browse(vals.get("advisor_id"))
            self._check_sales_appointment_access(advisor)
            self._check_sales_privacy(vals.get("privacy", "public"))
            # Explicit, so that the advisor's own default privacy cannot hide it.
            vals["privacy"] = vals.get("privacy") or "public"
            if self.env.su:
                # Data files and integrations running as superuser say who booked.
                vals.setdefault("booked_by_id", self.env.uid)
            else:
                vals["booked_by_id"] = self.env.uid
            if advisor:
                # The advisor, not the coordinator booking it, owns the appointment:
                # it shows in their calendar and in any calendar sync they use.
                vals["user_id"] = advisor.id
                partner_commands = vals.get("partner_ids")
                if partner_commands is None:
                    vals["partner_ids"] = [Command.set(advisor.partner_id.ids)]
                else:
                    vals["partner_ids"] = list(partner_commands) + [
                        Command.link(advisor.partner_id.id)
                    ]
            self._sales_customer_values(vals)
        with owning(self._name, "booked_by_id", "sales_customer_id"):
            self._set_appointment_types(vals_list)
            events = super().create(vals_list)
        events._sales_reopen_lost_leads()
        # The opportunity may also come from a default of the context.
        events.filtered("is_sales_appointment")._sales_add_customers()
        self.env["sales.appointment.scheduler"]._check_appointments(events)
        self.env["sales.followup"]._queue_confirmations(
            events.filtered("is_sales_appointment")
        )
        return events

    @api.model
    def _sales_customer_values(self, vals):
        """Complete the values of a new sales appointment: its customer (the
        opportunity's contact) among the attendees, however it is created (the
        calendar, an import, the API), and the company's reminders."""
        lead = self.env["crm.lead"].browse(
            vals.get("opportunity_id") or self.env.context.get("default_opportunity_id")
        )
        customer = lead.partner_id
        vals["sales_customer_id"] = customer.id
        commands = list(vals.get("partner_ids") or [])
        if customer and customer.id not in _linked_partner_ids(commands):
            vals["partner_ids"] = commands + [Command.link(customer.id)]
        alarms = self._sales_reminder_alarms(lead.company_id or self.env.company)
        if alarms:
            vals["alarm_ids"] = list(vals.get("alarm_ids") or []) + [
                Command.link(alarm.id) for alarm in alarms
            ]

    @api.model
    def _sales_reminder_alarms(self, company):
        """The calendar alarms that remind the customer of a sales appointment of
        ``company`` (other addons add theirs)."""
        alarms = self.env["calendar.alarm"]
        if company.sales_reminder_email:
            alarms |= (
                self.env.ref(
                    "sales_coordination.calendar_alarm_sales_reminder_email",
                    raise_if_not_found=False,
                )
                or alarms
            )
        return alarms

    def _sales_add_customers(self):
        """Make the customer an attendee of those of these sales appointments
        where they are missing (the opportunity or its contact changed, the
        attendees were replaced). Returns the appointments completed."""
        missing = self.filtered(
            lambda event: event._sales_customer()
            and event._sales_customer() not in event.partner_ids
        )
        for customer, events in missing.grouped(
            lambda event: event._sales_customer()
        ).items():
            # sudo: the customer follows the opportunity, whoever changed it
            # (a merge of leads, a contact set by the advisor).
            events.sudo().write({"partner_ids": [Command.link(customer.id)]})
        return missing

    def _sales_take_lead_contacts(self):
        """Make the opportunity's contact the customer of these sales
        appointments; the customer invited until now stays an attendee."""
        to_set = self.filtered(
            lambda event: event.sales_customer_id != event.opportunity_id.partner_id
        )
        for customer, events in to_set.grouped(
            lambda event: event.opportunity_id.partner_id
        ).items():
            with owning(self._name, "sales_customer_id"):
                events.write({"sales_customer_id": customer.id})

    def _sales_follow_lead_contacts(self):
        """Invite the opportunity's contact as the customer of these sales
        appointments in place of the customer invited until now (unless they
        are the advisor); the new customer receives the invitation. Only for
        their coordinator's decision (see crm.lead's write and
        action_sales_invite_lead_contact)."""
        previous = {event: event.sales_customer_id for event in self}
        self._sales_take_lead_contacts()
        for event in self:
            former = previous[event]
            if former and former not in (
                event.sales_customer_id | event.advisor_id.partner_id
            ):
                event.write({"partner_ids": [Command.unlink(former.id)]})
        self._sales_add_customers()

    def action_sales_invite_lead_contact(self):
        """The opportunity's contact changed after the booking: invite them as
        the customer of these upcoming appointments in place of the former
        one. For the advisor's coordinator, backup coordinator or a manager.
        Returns True."""
        appointments = self.filtered("sales_contact_changed")
        self._check_sales_appointment_access(appointments.advisor_id)
        now = fields.Datetime.now()
        if any(event.start <= now or not event.active for event in appointments):
            raise UserError(
                self.env._(
                    "Only an upcoming appointment invites another customer: a past "
                    "or cancelled visit keeps the customer it was booked with."
                )
            )
        # sudo: the customer's attendee is not the coordinator's to remove by
        # hand (see calendar.attendee); their access was checked above.
        appointments.sudo()._sales_follow_lead_contacts()
        appointments.opportunity_id.sudo().activity_unlink(
            ["sales_coordination.mail_activity_type_contact_changed"]
        )
        return True

    def _sales_tell_contact_changed(self, former):
        """The contact of these appointments' opportunities changed (``former``:
        the contact each lead had) by someone who may not re-invite: the
        appointments stay as booked, and the lead's coordinator gets one
        activity per appointment to decide."""
        activity_type = self.env.ref(
            "sales_coordination.mail_activity_type_contact_changed"
        )
        for event in self:
            lead = event.opportunity_id
            coordinator = (
                lead.coordinator_id
                or event.advisor_id.coordinator_id
                or event.advisor_id.backup_coordinator_id
                or event.booked_by_id
            )
            if not coordinator:
                continue
            # sudo: the addon's message to the coordinator, whoever changed the
            # contact (an advisor may not schedule activities for others).
            lead.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                user_id=coordinator.id,
                summary=self.env._(
                    "%(user)s changed the contact to %(contact)s",
                    user=self.env.user.name,
                    contact=lead.partner_id.display_name or self.env._("nobody"),
                ),
                note=self.env._(
                    "The appointment “%(event)s” (%(when)s) still invites "
                    "%(customer)s, who was the contact when it was booked (before: "
                    "%(former)s). To invite %(contact)s instead, open the "
                    "appointment and press Invite the New Contact.",
                    event=event.name,
                    when=event._sales_customer_time(),
                    customer=event.sales_customer_id.display_name
                    or self.env._("nobody"),
                    former=former[lead].display_name or self.env._("nobody"),
                    contact=lead.partner_id.display_name or self.env._("nobody"),
                ),
            )

    def _sales_keep_customers(self, vals):
        """``vals`` with the customer kept among the attendees of these sales
        appointments when ``partner_ids`` would remove them: their attendee,
        and with it their answer, stays. (Written to several appointments of
        different customers at once, removing one of them is refused.)"""
        customers = self.filtered("is_sales_appointment").sales_customer_id
        if len(customers) != 1:
            return vals
        commands = vals["partner_ids"]
        if commands and isinstance(commands[0], int):
            commands = [Command.set(commands)]
        kept = []
        for command in commands:
            if command[0] == Command.SET:
                command = Command.set(list(set(command[2]) | {customers.id}))
            elif command[0] in (Command.UNLINK, Command.DELETE):
                if command[1] == customers.id:
                    continue
            kept.append(command)
        return dict(vals, partner_ids=kept)

    def _check_appointment_type_value(self, kind):
        """Reset and rehash are what the lead's history makes a visit: nobody
        sets them by hand (the funnel counts them)."""
        if kind in DERIVED_TYPES and not (
            self.env.su or is_owned(self._name, "appointment_type")
        ):
            raise UserError(
                self.env._(
                    "A visit becomes a reset or a rehash by what happened before it "
                    "(a no-show, a cancellation, a demo without a sale): that type "
                    "cannot be chosen by hand."
                )
            )

    def _check_sales_privacy(self, privacy):
        if not self.env.su and privacy not in SALES_PRIVACY:
            raise UserError(
                self.env._(
                    "A sales appointment stays visible to the advisor's coordinators, "
                    "who keep their calendar: make it public or visible to internal "
                    "users only, not private."
                )
            )

    # The booking's result opens the appointment at once.
    @on_primary
    def web_read(self, *args, **kwargs):
        return super().web_read(*args, **kwargs)

    def write(self, vals):
        self._sales_check_workflow_write(vals)
        self._check_sales_unflag(vals)
        if "appointment_type" in vals:
            self._check_appointment_type_value(vals["appointment_type"])
            if any(event.appointment_type in DERIVED_TYPES for event in self):
                self._check_appointment_type_value(next(iter(DERIVED_TYPES)))
        if "privacy" in vals and (
            vals.get("is_sales_appointment") or any(self.mapped("is_sales_appointment"))
        ):
            self._check_sales_privacy(vals["privacy"])
        if vals.get("is_sales_appointment") and "privacy" not in vals:
            vals = dict(vals, privacy="public")
        if SCHEDULING_FIELDS.intersection(vals):
            appointments = (
                self
                if vals.get("is_sales_appointment")
                else self.filtered("is_sales_appointment")
            )
            new_advisor = self.env["res.users"].browse(vals.get("advisor_id"))
            self._check_sales_appointment_access(appointments.advisor_id | new_advisor)
            if new_advisor:
                vals = self._reassign_values(vals, appointments, new_advisor)
        if "partner_ids" in vals:
            vals = self._sales_keep_customers(vals)
        if "start" in vals or "start_date" in vals:
            # Answered for another time: the customer answers again (Odoo sends
            # them the change with Accept and Decline).
            self._sales_reset_answers(vals)
        result = super().write(vals)
        if RESCHEDULING_FIELDS.intersection(vals) and not self._sales_is_merge(vals):
            self.env["sales.appointment.scheduler"]._check_appointments(self)
        if {"opportunity_id", "is_sales_appointment"}.intersection(vals):
            # Booked for another opportunity (by its coordinator, or crm's
            # merge): its contact is the customer.
            self.filtered("is_sales_appointment")._sales_take_lead_contacts()
        if CUSTOMER_FIELDS.intersection(vals):
            self.filtered("is_sales_appointment")._sales_add_customers()
        if {"start", "active", "is_sales_appointment"}.intersection(vals):
            self.env["sales.followup"]._queue_confirmations(
                self.filtered("is_sales_appointment")
            )
        return result

    @api.model
    def load(self, fields, data):
        # Odoo's import: visits brought as they were recorded elsewhere.
        token = _IMPORTING.set(True)
        try:
            return super().load(fields, data)
        finally:
            _IMPORTING.reset(token)

    def _sales_move_to_lead(self, lead):
        """crm's merge: these appointments follow their lead to ``lead``. Nothing
        moves in time, so the booking checks do not run again."""
        with owning(self._name, "opportunity_id"):
            return self.write({"res_id": lead.id, "opportunity_id": lead.id})

    def _sales_is_merge(self, vals):
        return set(vals) <= {"res_id", "opportunity_id"} and is_owned(
            self._name, "opportunity_id"
        )

    def _sales_reopen_lost_leads(self):
        """An upcoming visit booked for a lost customer (a rehash) reopens their
        lead and ends the rehash call that led to it. Imports of past or
        cancelled visits leave lost leads as they are."""
        if _IMPORTING.get():
            return
        now = fields.Datetime.now()
        lost = self.filtered(
            lambda event: event.is_sales_appointment
            and event.active
            and event.start > now
            and not event.opportunity_id.active
        ).opportunity_id
        if not lost:
            return
        lost.toggle_active()
        self.env["sales.followup"]._end_rehash_calls(lost)

    def _set_appointment_types(self, vals_list):
        """Give each new sales appointment its type from its lead's history,
        unless the caller chose one."""
        leads = self.env["crm.lead"].browse(
            vals.get("opportunity_id")
            for vals in vals_list
            if vals.get("is_sales_appointment")
            and vals.get("opportunity_id")
            and not vals.get("appointment_type")
        )
        if not leads:
            return
        # The history decides the type (tools/visits.py), whoever may see the
        # earlier visits.
        self.flush_model(
            ["opportunity_id", "is_sales_appointment", "start", "active", "is_no_show"]
        )
        self.env["sales.debrief"].flush_model(["event_id", "state", "outcome"])
        self.env.cr.execute(next_types_sql(leads.ids))
        next_types = dict(self.env.cr.fetchall())
        booked = set()  # leads given a visit earlier in this batch
        for vals in vals_list:
            lead_id = vals.get("opportunity_id")
            if (
                not vals.get("is_sales_appointment")
                or not lead_id
                or vals.get("appointment_type")
            ):
                continue
            vals["appointment_type"] = (
                "follow_up" if lead_id in booked else next_types[lead_id]
            )
            booked.add(lead_id)

    def action_mark_no_show(self):
        """The customer was not there (or cancelled at the door or the day
        before): no debrief is expected, and a reset call goes to the top of the
        coordinator's queue. Returns True."""
        now = fields.Datetime.now()
        for event in self:
            if not event.is_sales_appointment:
                raise UserError(
                    self.env._(
                        "“%(event)s” is not a sales appointment: only those can be "
                        "a no-show.",
                        event=event.name,
                    )
                )
            self._check_sales_appointment_access(event.advisor_id)
            if event.is_no_show:
                raise UserError(
                    self.env._(
                        "“%(event)s” is already recorded as a no-show.",
                        event=event.name,
                    )
                )
            if event.start > now:
                raise ValidationError(
                    self.env._(
                        "“%(event)s” has not started yet: if the customer cancels "
                        "ahead of time, move or cancel the appointment instead.",
                        event=event.name,
                    )
                )
            if event.debrief_state == "done":
                raise UserError(
                    self.env._(
                        "“%(event)s” has a confirmed debrief: the advisor met the "
                        "customer, so it was no no-show.",
                        event=event.name,
                    )
                )
            if not event.active or not event.opportunity_id.active:
                raise UserError(
                    self.env._(
                        "“%(event)s” was cancelled, or its customer said no: there "
                        "is no visit to record as a no-show.",
                        event=event.name,
                    )
                )
        # A draft debrief was begun for a visit that did not take place.
        self.debrief_ids.filtered(lambda debrief: debrief.state == "draft").unlink()
        self._sales_write_workflow({"is_no_show": True, "debrief_state": "none"})
        Followup = self.env["sales.followup"]
        Followup._cancel_open_for(events=self)
        # The lead's debrief reminder goes, unless another of its visits still
        # waits for a debrief.
        waiting = self.search(
            [
                ("opportunity_id", "in", self.opportunity_id.ids),
                ("is_sales_appointment", "=", True),
                ("is_no_show", "=", False),
                ("debrief_state", "=", "due"),
            ]
        ).opportunity_id
        (self.opportunity_id - waiting).activity_unlink(
            ["sales_coordination.mail_activity_type_debrief"]
        )
        Followup._queue_reset(self, "no_show")
        for event in self:
            with side_effect(self.env, "The no-show's chatter line"):
                event.opportunity_id.message_post(
                    body=self.env._(
                        "No-show: %(event)s. A call to rebook it is queued.",
                        event=event.name,
                    )
                )
        return True

    def _sales_reset_answers(self, vals):
        """Before these appointments move: the customers' answers were for the
        former time, so they answer again (Odoo sends them the change)."""
        start = fields.Datetime.to_datetime(vals.get("start") or vals.get("start_date"))
        moved = self.filtered(
            lambda event: event.customer_response != "none" and event.start != start
        )
        attendees = moved.attendee_ids._sales_customer_attendees().filtered(
            lambda attendee: attendee.state != "needsAction"
        )
        if not attendees:
            return
        with owning("calendar.attendee", "state"):
            attendees.write({"state": "needsAction"})
        for event in attendees.event_id:
            with side_effect(self.env, "The moved appointment's chatter line"):
                event.opportunity_id.message_post(
                    body=self.env._(
                        "“%(event)s” moved: the customer's earlier answer no longer "
                        "holds until they answer the new time.",
                        event=event.name,
                    )
                )

    def _sales_customer_answered(self, answer):
        """The customers of these appointments answered their invitation
        (``accepted`` or ``declined``, already on their attendee): the queue
        hears of it (``_end_for_acceptance``, ``_queue_reset``), and each answer
        is told in the lead's chatter."""
        Followup = self.env["sales.followup"]
        if answer == "accepted":
            ended = Followup._end_for_acceptance(self).grouped("event_id")
        for event in self:
            customer = event._sales_customer()
            when = event._sales_customer_time()
            if answer == "accepted":
                calls = ended.get(event, Followup)
                body = self.env._(
                    "%(customer)s accepted the appointment “%(event)s” (%(when)s): "
                    "it is confirmed by the customer.",
                    customer=customer.name,
                    event=event.name,
                    when=when,
                )
                if calls.filtered(lambda call: call.kind == "confirmation"):
                    body += " " + self.env._("No confirmation call is needed.")
                if calls.filtered(lambda call: call.kind == "reset"):
                    body += " " + self.env._(
                        "The call to rebook it, queued when they declined, is done."
                    )
            else:
                body = self.env._(
                    "%(customer)s declined the appointment “%(event)s” (%(when)s). "
                    "Nothing is cancelled: a call to rebook it is at the top of the "
                    "queue.",
                    customer=customer.name,
                    event=event.name,
                    when=when,
                )
            with side_effect(self.env, "The customer's answer on the lead"):
                event.opportunity_id.message_post(body=body, author_id=customer.id)
        if answer == "declined":
            Followup._queue_reset(self, "declined")

    def _sales_customer_time(self):
        """When the appointment is, as the coordinator who booked it reads it."""
        self.ensure_one()
        tz = self.booked_by_id.tz or self.user_id.tz or "UTC"
        return format_datetime(self.env, self.start, tz=tz, dt_format="short")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_debriefed(self):
        # sudo: a confirmed debrief the user may not read still forbids it.
        debriefed = self.sudo().debrief_ids.filtered(lambda d: d.state == "done")
        if debriefed:
            raise UserError(
                self.env._(
                    "“%(event)s” has a confirmed debrief: cancel (archive) the "
                    "appointment instead of deleting it, so that its debrief and "
                    "the funnel keep it.",
                    event=debriefed[0].event_id.name,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_past(self):
        # What took place is counted (set, issued, no-shows, resets): a past
        # appointment is archived, by a manager, never deleted.
        past = self._sales_past()
        if past and not self.env.su:
            raise UserError(
                self.env._(
                    "“%(event)s” has already taken place (or was a no-show): the "
                    "funnel and the boards count it, so it is not deleted. A "
                    "coordination manager archives it instead.",
                    event=past[0].name,
                )
            )

    def _sales_past(self):
        """Those of these sales appointments that are history: started, a
        no-show, or debriefed."""
        now = fields.Datetime.now()
        return self.filtered(
            lambda event: event.is_sales_appointment
            and (
                event.start <= now or event.is_no_show or event.debrief_state == "done"
            )
        )

    def _check_sales_unflag(self, vals):
        """Only a coordination manager makes a past sales appointment a plain
        event (the funnel would show a visit that was never set)."""
        if (
            "is_sales_appointment" in vals
            and not vals["is_sales_appointment"]
            and not self.env.su
            and not self.env.user.has_group("sales_coordination.group_manager")
        ):
            past = self._sales_past()
            if past:
                raise UserError(
                    self.env._(
                        "“%(event)s” has already taken place (or was a no-show): it "
                        "stays a sales appointment. Only a coordination manager may "
                        "change that.",
                        event=past[0].name,
                    )
                )

    def unlink(self):
        self._check_sales_appointment_access(
            self.filtered("is_sales_appointment").advisor_id
        )
        # Checked before the drafts go, so that a refusal leaves them all.
        self._unlink_except_debriefed()
        self._unlink_except_past()
        # sudo: a draft debrief is a note on the visit being deleted, whoever
        # began it.
        self.sudo().debrief_ids.filtered(lambda d: d.state == "draft").unlink()
        # The queue follows the appointment, whoever deletes it: its calls to
        # make go; those made stay, without it (set null).
        self.env["sales.followup"]._cancel_open_for(events=self)
        return super().unlink()

    def _reassign_values(self, vals, appointments, new_advisor):
        """Values that make ``new_advisor`` the organiser and an attendee of
        ``appointments`` in place of their former advisors."""
        vals = dict(vals, user_id=new_advisor.id)
        if "partner_ids" not in vals:
            former = (appointments.advisor_id - new_advisor).partner_id
            vals["partner_ids"] = [Command.unlink(pid) for pid in former.ids] + [
                Command.link(new_advisor.partner_id.id)
            ]
        return vals

    def _check_sales_appointment_access(self, advisors):
        """Raise an AccessError unless the current user may book, move, re-assign
        or cancel the sales appointments of ``advisors``: their coordinator, their
        backup coordinator or a manager."""
        if self.env.su or not advisors:
            return
        user = self.env.user
        if user.has_group("sales_coordination.group_manager"):
            return
        for advisor in advisors:
            if advisor == user:
                raise AccessError(
                    self.env._(
                        "You cannot book, move or cancel your own sales appointments: "
                        "ask your coordinator, who keeps your calendar."
                    )
                )
            coordinators = advisor.coordinator_id | advisor.backup_coordinator_id
            if user not in coordinators or not user.has_group(
                "sales_coordination.group_coordinator"
            ):
                raise AccessError(
                    self.env._(
                        "Only the coordinator or the backup coordinator of "
                        "%(advisor)s, or a sales manager, may book, move or cancel "
                        "their sales appointments.",
                        advisor=advisor.name,
                    )
                )


def _linked_partner_ids(commands):
    """The partner ids that ORM ``commands`` (or plain ids) link."""
    ids = set()
    for command in commands:
        if isinstance(command, int):
            ids.add(command)
        elif command[0] == Command.LINK:
            ids.add(command[1])
        elif command[0] == Command.SET:
            ids.update(command[2])
    return ids
