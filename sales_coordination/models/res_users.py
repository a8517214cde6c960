from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
    is_inbound_integration = fields.Boolean(
        string="Inbound Integration User",
        readonly=True,
        copy=False,
        help="A technical user the Inbound Integrations screen created for one "
        "integration: it records that integration's events and does nothing else.",
    )

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
        res = super().write(vals)
        if vals.get("is_field_advisor"):
            self._ensure_advisor_resource()
        return res

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
                    "tz": user.tz or user.company_id.resource_calendar_id.tz or "UTC",
                }
                for user in missing
            ]
        )
