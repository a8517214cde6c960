import contextvars

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

# An advisor's working hours: when they can be booked, and in which time zone. Odoo
# keeps them on the advisor's resources, which nobody may write without hr (with hr,
# HR officers), and on the user, which only user administrators may write; the
# coordination managers, who plan the advisors' time, may write these two fields.
WORKING_HOURS_FIELDS = ("resource_calendar_id", "tz")
# Set while Odoo logs a user in (a variable of the running code, not Odoo's
# context: no client can send it).
_LOGGING_IN = contextvars.ContextVar("sales_coordination_logging_in", default=False)


class ResUsers(models.Model):
    _inherit = "res.users"

    is_field_advisor = fields.Boolean(
        string="Field Advisor",
        help="Runs sales appointments at the customers'; their calendar is booked by "
        "their coordinator.",
    )
    daily_appointment_capacity = fields.Integer(
        string="Appointments a Day",
        default=lambda self: self.env.company.sales_daily_capacity or 4,
        help="The most sales appointments this advisor runs in one day.",
    )
    weekly_appointment_capacity = fields.Integer(
        string="Appointments a Week",
        default=lambda self: self.env.company.sales_weekly_capacity or 20,
        help="The most sales appointments this advisor runs in one week.",
    )
    can_edit_working_hours = fields.Boolean(
        compute="_compute_can_edit_working_hours",
        help="Whether you may change this advisor's working hours and time zone: "
        "administrators and the coordination managers of their company may.",
    )
    coordinator_id = fields.Many2one(
        "res.users",
        index="btree_not_null",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("sales_coordination.group_coordinator").id)
        ],
        help="Takes this advisor's leads and books their appointments.",
    )
    backup_coordinator_id = fields.Many2one(
        "res.users",
        index="btree_not_null",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("sales_coordination.group_coordinator").id)
        ],
        help="Stands in for the coordinator at busy times and when they are away.",
    )
    coordinated_advisor_ids = fields.One2many(
        "res.users", "coordinator_id", string="Advisors Coordinated"
    )
    backed_up_advisor_ids = fields.One2many(
        "res.users", "backup_coordinator_id", string="Advisors Backed Up"
    )
    sales_next_call_after_log = fields.Boolean(
        string="Next Call After Logging",
        default=True,
        help="After you log a call, the next call due opens at once (as if you "
        "pressed Next Call).",
    )
    is_inbound_integration = fields.Boolean(
        string="Inbound Integration User",
        readonly=True,
        copy=False,
        help="A technical user the Inbound Integrations screen created for one "
        "integration: it records that integration's events and does nothing else.",
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # A coordinator's own way of working, set in their preferences.
        return super().SELF_WRITEABLE_FIELDS + ["sales_next_call_after_log"]

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["sales_next_call_after_log"]

    def _sales_start_action(self):
        """Where the Coordination app (and, for a user without a home action of
        their own, the whole web client) opens: a coordination manager's board,
        a coordinator's call queue with Next call on it, an advisor's day."""
        self.ensure_one()
        if self.has_group("sales_coordination.group_manager"):
            xmlid = "sales_coordination.sales_coordinator_board_action"
        elif self.has_group("sales_coordination.group_coordinator"):
            xmlid = "sales_coordination.sales_followup_action"
        elif self.is_field_advisor:
            xmlid = "sales_coordination.calendar_event_action_advisor_day"
        else:
            xmlid = "sales_coordination.crm_lead_action_coordination"
        return self.env["ir.actions.act_window"]._for_xml_id(xmlid)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_can_edit_working_hours(self):
        for user in self:
            user.can_edit_working_hours = not user._working_hours_refusal()

    @api.constrains("coordinator_id", "backup_coordinator_id")
    def _check_coordinator_id(self):
        coordinator_group = self.env.ref("sales_coordination.group_coordinator")
        for user in self:
            coordinators = user.coordinator_id | user.backup_coordinator_id
            if user in coordinators:
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot coordinate themselves: choose another "
                        "coordinator.",
                        user=user.name,
                    )
                )
            if (
                user.coordinator_id
                and user.coordinator_id == user.backup_coordinator_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(coordinator)s cannot be both the coordinator and the backup "
                        "coordinator of %(user)s.",
                        coordinator=user.coordinator_id.name,
                        user=user.name,
                    )
                )
            for coordinator in coordinators:
                if coordinator_group not in coordinator.groups_id:
                    raise ValidationError(
                        self.env._(
                            "%(coordinator)s is not a sales coordinator: give them the "
                            "Coordinator role before pairing them with %(user)s.",
                            coordinator=coordinator.name,
                            user=user.name,
                        )
                    )
                if user.company_id not in coordinator.company_ids:
                    raise ValidationError(
                        self.env._(
                            "%(coordinator)s does not work for %(company)s, the "
                            "company of %(user)s.",
                            coordinator=coordinator.name,
                            company=user.company_id.name,
                            user=user.name,
                        )
                    )

    @api.constrains("daily_appointment_capacity", "weekly_appointment_capacity")
    def _check_appointment_capacity(self):
        for user in self:
            daily = user.daily_appointment_capacity
            weekly = user.weekly_appointment_capacity
            if daily < 0 or weekly < 0:
                raise ValidationError(
                    self.env._(
                        "The appointment capacities of %(user)s cannot be negative.",
                        user=user.name,
                    )
                )
            if daily > weekly:
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot run more appointments in a day (%(daily)s) "
                        "than in a week (%(weekly)s).",
                        user=user.name,
                        daily=daily,
                        weekly=weekly,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        # resource_calendar_id is stored on the resource, which does not exist yet
        # when the user is created: keep the value given for the new resource.
        calendars = {
            user.id: vals["resource_calendar_id"]
            for user, vals in zip(users, vals_list, strict=False)
            if vals.get("resource_calendar_id")
        }
        users.filtered("is_field_advisor")._ensure_advisor_resource(calendars)
        return users

    def write(self, vals):
        # Who coordinates where, before a change that may end it (archived, the
        # Coordinator role or a company taken away, from the user form's
        # reified group fields as well as groups_id itself).
        reach = (
            self._sales_coordinator_reach()
            if any(
                fname in ("active", "groups_id", "company_ids")
                or fname.startswith(("in_group_", "sel_groups_"))
                for fname in vals
            )
            else {}
        )
        result = self._sales_write(vals)
        if reach:
            self._sales_hand_over_queues(reach)
        return result

    def unlink(self):
        # A coordinator deleted leaves no call behind, as one archived does.
        self._sales_hand_over_queues(self._sales_coordinator_reach(), leaving=True)
        return super().unlink()

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        token = _LOGGING_IN.set(True)
        try:
            return super()._login(db, credential, user_agent_env)
        finally:
            _LOGGING_IN.reset(token)

    def _sales_write(self, vals):
        if self._sales_first_login_time_zone(vals):
            # Odoo gives a user the browser's time zone at their first login: an
            # advisor keeps the one their manager set (it decides when they can
            # be booked), and their first login is not refused for it.
            return True
        hours = {fname: vals[fname] for fname in WORKING_HOURS_FIELDS if fname in vals}
        advisors = self._working_hours_advisors(vals) if hours else self.browse()
        unchanged = self.browse()
        if advisors and not self.env.su:
            # Their own value written back changes nothing and needs no right:
            # Odoo writes the browser's time zone at a user's first login, and a
            # refusal there would lock the advisor out of Odoo.
            unchanged = advisors.filtered(lambda user: user._sales_has_hours(hours))
            advisors -= unchanged
        if advisors:
            # Checked before anything is written: a refusal leaves nothing behind.
            advisors._check_working_hours(hours)
        if (advisors or unchanged) and not self.env.su:
            vals = {fname: value for fname, value in vals.items() if fname not in hours}
            if others := self - advisors - unchanged:
                super(ResUsers, others).write(hours)
        res = super().write(vals) if vals else True
        if vals.get("is_field_advisor"):
            self._ensure_advisor_resource()
        if advisors and not self.env.su:
            advisors._write_working_hours(hours)
        elif advisors:
            advisors._sync_working_hours(hours)
        return res

    # ------------------------------------------------------------------
    # A coordinator who leaves leaves no call behind
    # ------------------------------------------------------------------

    def _sales_coordinates(self, company):
        """Whether the user ``self`` is a coordinator who may work the leads of
        ``company`` (any company's coordinator when it is empty)."""
        self.ensure_one()
        # sudo: who coordinates where is no secret, and every user who may give
        # a lead a coordinator checks it, not only those who may read groups.
        user = self.sudo()
        return (
            user.active
            and user._has_group("sales_coordination.group_coordinator")
            and (not company or company in user.company_ids)
        )

    def _sales_coordinator_reach(self):
        """The companies each user of ``self`` coordinates for: {user: companies}
        (none for a user who is no coordinator, or archived)."""
        users = self.sudo().with_context(active_test=False)
        group = self.env.ref("sales_coordination.group_coordinator")
        return {
            user: user.company_ids
            if user.active and group in user.groups_id
            else user.company_ids.browse()
            for user in users
        }

    def _sales_hand_over_queues(self, reach, leaving=False):
        """Hand the queue of each user of ``reach`` (their companies before a
        change, from ``_sales_coordinator_reach``) who no longer coordinates
        for some of them to whoever stands in: the advisors they coordinated
        lose them as coordinator or backup, their leads go to the lead's
        advisor's coordinator or backup coordinator, or else to the company's
        calls that belong to nobody, their running claims there end and the
        integrations that gave them new leads give them to nobody.
        ``leaving``: the users are about to be deleted and coordinate nowhere."""
        now = {} if leaving else self._sales_coordinator_reach()
        lost = {
            user: companies - now.get(user, companies.browse())
            for user, companies in reach.items()
        }
        lost = {user: companies for user, companies in lost.items() if companies}
        if not lost:
            return
        # sudo: the caller was allowed to archive these users or change their
        # roles or companies; their queue follows, whoever may read it.
        users = self.browse([user.id for user in lost]).sudo()
        Users = users.with_context(active_test=False)
        for user, companies in lost.items():
            gone = not now.get(user)

            def left(company, user=user, companies=companies, gone=gone):
                return gone or company in companies

            advisors = Users.search(
                [
                    "|",
                    ("coordinator_id", "=", user.id),
                    ("backup_coordinator_id", "=", user.id),
                ]
            ).filtered(lambda advisor: left(advisor.company_id))
            coordinated = advisors.filtered(
                lambda advisor, user=user: advisor.coordinator_id == user
            )
            coordinated.write({"coordinator_id": False})
            (advisors - coordinated).write({"backup_coordinator_id": False})
            self.env["crm.lead"].sudo()._sales_hand_over(user, left)
            claims = (
                self.env["sales.followup"]
                .sudo()
                .search([("state", "=", "claimed"), ("claimed_by_id", "=", user.id)])
                .filtered(lambda followup: left(followup.company_id))
            )
            claims._sales_release()
            sources = (
                self.env["sales.inbound.source"]
                .sudo()
                .with_context(active_test=False)
                .search([("coordinator_id", "=", user.id)])
                .filtered(lambda source: left(source.company_id))
            )
            sources.write({"coordinator_id": False})
            self._sales_hand_over_more(user, left)

    def _sales_hand_over_more(self, user, left):
        """What else of ``user``'s must go elsewhere (bridges extend this):
        ``left(company)`` says whether they no longer coordinate for it."""

    def _working_hours_advisors(self, vals):
        """The users of ``self`` that are, or become with ``vals``, field advisors."""
        if "is_field_advisor" in vals:
            return self if vals["is_field_advisor"] else self.browse()
        return self.filtered("is_field_advisor")

    def _working_hours_refusal(self):
        """Why the current user may not change the working hours and time zone of
        the advisors ``self``, as a message; an empty string when they may."""
        if self.env.su or self.env.user._is_admin():
            return ""
        if self.env.user.has_group("sales_coordination.group_manager"):
            foreign = self.filtered(
                lambda user: user.company_id not in self.env.companies
            )
            if not foreign:
                return ""
            return self.env._(
                "%(advisors)s work for another company: only its coordination "
                "managers can change their working hours and time zone.",
                advisors=", ".join(foreign.mapped("name")),
            )
        if self == self.env.user:
            return self.env._(
                "Your working hours and time zone decide when you can be booked: ask "
                "a coordination manager to change them."
            )
        return self.env._(
            "Only a coordination manager or an administrator can change the working "
            "hours and time zone of %(advisors)s.",
            advisors=", ".join(self.mapped("name")),
        )

    def _check_working_hours(self, hours):
        """Raise unless the current user may give the advisors ``self`` the working
        hours and time zone in ``hours`` (a subset of ``write``'s values)."""
        refusal = self._working_hours_refusal()
        if refusal:
            raise AccessError(refusal)
        calendar = self.env["resource.calendar"].browse(
            hours.get("resource_calendar_id")
        )
        if not calendar:
            return
        calendar.check_access("read")
        for user in self:
            if calendar.company_id and calendar.company_id != user.company_id:
                raise ValidationError(
                    self.env._(
                        "The working hours %(calendar)s belong to %(company)s: choose "
                        "working hours of %(user_company)s, the company of %(user)s.",
                        calendar=calendar.name,
                        company=calendar.company_id.name,
                        user_company=user.company_id.name,
                        user=user.name,
                    )
                )

    def _sales_first_login_time_zone(self, vals):
        """Whether ``vals`` is Odoo's write of the browser's time zone on an
        advisor who is logging in for the first time and has a time zone
        already (``res.users._login``: the user writes it themselves, before
        their first login date is set; the login itself says it runs)."""
        return (
            set(vals) == {"tz"}
            and len(self) == 1
            and not self.env.su
            and self.env.uid == self.id
            and _LOGGING_IN.get()
            and not self.login_date
            and self.is_field_advisor
            and bool(self.tz)
            and vals["tz"] != self.tz
        )

    def _sales_has_hours(self, hours):
        """Whether the user ``self`` has the working hours and time zone in
        ``hours`` (a subset of ``write``'s values) already."""
        self.ensure_one()
        return all(
            (self[fname].id if fname == "resource_calendar_id" else self[fname])
            == (value or False)
            for fname, value in hours.items()
        )

    def _write_working_hours(self, hours):
        """Give the advisors ``self`` the working hours and time zone in ``hours``
        for the current user, whom _check_working_hours has let through."""
        # Without hr nobody may write a resource.resource, and only user
        # administrators may write res.users: the working hours of an advisor are
        # written as superuser for a coordination manager of their company (or an
        # administrator), checked first, and nothing but these two fields.
        self.sudo().write(hours)

    def _sync_working_hours(self, hours):
        """Copy the working hours and time zone in ``hours``, just written on the
        advisors ``self``, onto each of their resources (theirs and, with hr, their
        employees'): the slot search reads every one, and the user's
        ``resource_calendar_id`` writes only the first."""
        resources = self.resource_ids
        if "resource_calendar_id" in hours:
            # Working hours belong to a company: those of the advisor's company.
            resources.filtered(
                lambda resource: not resource.company_id
                or resource.company_id == resource.user_id.company_id
            ).write({"calendar_id": hours["resource_calendar_id"]})
        if "tz" in hours:
            for tz, users in self.grouped(
                lambda user: user._working_hours_tz()
            ).items():
                users.resource_ids.write({"tz": tz})

    def _working_hours_tz(self):
        """The time zone the resource of the advisor ``self`` works in."""
        return self.tz or self.company_id.resource_calendar_id.tz or "UTC"

    def _ensure_advisor_resource(self, calendars=None):
        """Give each advisor without one a resource, so that their working hours
        (``resource_calendar_id``) can be set from the user form or the API.
        ``calendars`` maps a user id to the working hours to start with (default:
        their company's)."""
        calendars = calendars or {}
        missing = self.filtered(lambda user: not user.resource_ids)
        if not missing:
            return
        # Only administrators may create resources; the caller already passed the
        # rights to create or change these users, which is what this follows from.
        missing.check_access("write")
        self.env["resource.resource"].sudo().create(
            [
                {
                    "name": user.name,
                    "user_id": user.id,
                    "resource_type": "user",
                    "company_id": user.company_id.id,
                    "calendar_id": calendars.get(
                        user.id, user.company_id.resource_calendar_id.id
                    ),
                    "tz": user._working_hours_tz(),
                }
                for user in missing
            ]
        )
