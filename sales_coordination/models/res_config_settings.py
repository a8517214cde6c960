from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_lead_entry_restricted = fields.Boolean(
        related="company_id.sales_lead_entry_restricted", readonly=False
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
    sales_routing_url = fields.Char(
        related="company_id.sales_routing_url", readonly=False
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
    sales_rehash_days = fields.Integer(
        related="company_id.sales_rehash_days", readonly=False
    )
    sales_happy_call_days = fields.Integer(
        related="company_id.sales_happy_call_days", readonly=False
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
    sales_daily_call_target = fields.Integer(
        related="company_id.sales_daily_call_target", readonly=False
    )
    sales_advisor_weekly_meetings = fields.Integer(
        related="company_id.sales_advisor_weekly_meetings", readonly=False
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
    # Offered, not required: the bridge sales_coordination_sms comes with it.
    module_calendar_sms = fields.Boolean(string="SMS Reminders")
