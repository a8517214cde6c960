from odoo import api, fields, models
from odoo.exceptions import AccessError


class SalesCoordinationSettings(models.TransientModel):
    """The company's coordination settings, for the coordination managers.

    Odoo's Settings (res.config.settings) are for administrators only; a
    coordination manager runs the team and sets its delays, targets and
    capacities here, for the current company only. The fields are the
    company's own (related); what this form saves goes to the company through
    ``_sales_apply``, after checking that the user manages that company, and
    the company's constraints judge the values. The routing server, the
    recorded voicemail, who may enter leads and the SMS module stay in Odoo's
    Settings, for administrators.
    """

    _name = "sales.coordination.settings"
    _description = "Coordination Settings"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    sales_not_contacted_days = fields.Integer(
        related="company_id.sales_not_contacted_days", readonly=False
    )
    sales_daily_capacity = fields.Integer(
        related="company_id.sales_daily_capacity", readonly=False
    )
    sales_weekly_capacity = fields.Integer(
        related="company_id.sales_weekly_capacity", readonly=False
    )
    sales_appointment_duration = fields.Float(
        related="company_id.sales_appointment_duration", readonly=False
    )
    sales_travel_speed = fields.Float(
        related="company_id.sales_travel_speed", readonly=False
    )
    sales_stop_minutes = fields.Float(
        related="company_id.sales_stop_minutes", readonly=False
    )
    sales_max_day_drive_minutes = fields.Integer(
        related="company_id.sales_max_day_drive_minutes", readonly=False
    )
    sales_morning_start = fields.Float(
        related="company_id.sales_morning_start", readonly=False
    )
    sales_afternoon_start = fields.Float(
        related="company_id.sales_afternoon_start", readonly=False
    )
    sales_evening_start = fields.Float(
        related="company_id.sales_evening_start", readonly=False
    )
    sales_evening_end = fields.Float(
        related="company_id.sales_evening_end", readonly=False
    )
    sales_debrief_overdue_hours = fields.Integer(
        related="company_id.sales_debrief_overdue_hours", readonly=False
    )
    sales_quote_followup_days = fields.Integer(
        related="company_id.sales_quote_followup_days", readonly=False
    )
    sales_happy_call_days = fields.Integer(
        related="company_id.sales_happy_call_days", readonly=False
    )
    sales_rehash_days = fields.Integer(
        related="company_id.sales_rehash_days", readonly=False
    )
    sales_daily_call_target = fields.Integer(
        related="company_id.sales_daily_call_target", readonly=False
    )
    sales_advisor_weekly_meetings = fields.Integer(
        related="company_id.sales_advisor_weekly_meetings", readonly=False
    )
    sales_priority_decay = fields.Float(
        related="company_id.sales_priority_decay", readonly=False
    )
    sales_claim_minutes = fields.Integer(
        related="company_id.sales_claim_minutes", readonly=False
    )
    sales_max_attempts = fields.Integer(
        related="company_id.sales_max_attempts", readonly=False
    )
    sales_shared_queue = fields.Boolean(
        related="company_id.sales_shared_queue", readonly=False
    )
    sales_dialer_hour_start = fields.Float(
        related="company_id.sales_dialer_hour_start", readonly=False
    )
    sales_dialer_hour_end = fields.Float(
        related="company_id.sales_dialer_hour_end", readonly=False
    )
    sales_dialer_wrong_number_failures = fields.Integer(
        related="company_id.sales_dialer_wrong_number_failures", readonly=False
    )
    sales_customer_invitation = fields.Boolean(
        related="company_id.sales_customer_invitation", readonly=False
    )
    sales_confirm_accepted = fields.Boolean(
        related="company_id.sales_confirm_accepted", readonly=False
    )
    sales_reminder_email = fields.Boolean(
        related="company_id.sales_reminder_email", readonly=False
    )

    @api.model
    def _sales_settings_fields(self):
        """The company's fields this form edits: its fields related to the
        company, and nothing else (a field not declared here is refused by the
        ORM as unknown)."""
        return [
            name
            for name, field in self._fields.items()
            if field.related and field.related.startswith("company_id.")
        ]

    @api.model_create_multi
    def create(self, vals_list):
        # The settings are the company's: they go through _sales_apply, never
        # through the related fields' inverse (a manager does not write
        # res.company, and should not).
        settings_list = [self._sales_pop_settings(vals) for vals in vals_list]
        records = super().create(vals_list)
        for record, settings in zip(records, settings_list, strict=False):
            record._sales_apply(settings)
        return records

    def write(self, vals):
        vals = dict(vals)
        settings = self._sales_pop_settings(vals)
        res = super().write(vals)
        for record in self:
            record._sales_apply(settings)
        return res

    def _sales_pop_settings(self, vals):
        return {
            name: vals.pop(name)
            for name in self._sales_settings_fields()
            if name in vals
        }

    def _sales_apply(self, settings):
        """Write ``settings`` on the record's company, all or nothing, once the
        user is known to be a coordination manager of that company and to be
        working in it."""
        self.ensure_one()
        company = self.company_id
        user = self.env.user
        if not (
            self.env.su
            or (
                user.has_group("sales_coordination.group_manager")
                and company == self.env.company
                and company in user.company_ids
            )
        ):
            raise AccessError(
                self.env._(
                    "Only a coordination manager of %(company)s may change its "
                    "coordination settings, while working in it.",
                    company=company.display_name,
                )
            )
        changed = {
            name: value for name, value in settings.items() if company[name] != value
        }
        if changed:
            # sudo: a coordination manager of this company (checked above)
            # changes its coordination settings and nothing else (only the
            # fields of this form reach here); the company's constraints
            # still judge the values, and one write keeps it all or nothing.
            company.sudo().write(changed)

    def action_sales_save(self):
        """The form's Save: the values are already the company's (the record
        was saved before the button ran)."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The coordination settings are saved."),
            },
        }
