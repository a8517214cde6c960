from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SalesCoordinationCommon
from .write_matrix import NOW, WriteMatrixMixin

PAST_VISIT = NOW - timedelta(hours=3)
UPCOMING = NOW + timedelta(days=2, hours=-3)

# Who may change each stored field of the addon, through write and web_save:
# A advisor, C coordinator, O another advisor's coordinator, M manager, P portal
# user. A field nobody may write moves only by the addon's own methods. Each row
# is about the cast's record of its model (setUpClass): the advisor's lead, its
# upcoming appointment, its confirmed debrief, its queued callback, a call the
# coordinator logged long ago (past the correction time), the company, the
# advisor's user, an integration and its event, a line of spend...
WRITE = {
    ("calendar.event", "advisor_id"): "M",
    ("calendar.event", "appointment_type"): "CM",
    ("calendar.event", "booked_by_id"): "",
    ("calendar.event", "customer_response"): "",
    ("calendar.event", "debrief_overdue_alerted"): "",
    ("calendar.event", "debrief_state"): "",
    ("calendar.event", "is_no_show"): "",
    ("calendar.event", "is_sales_appointment"): "CM",
    ("calendar.event", "sales_company_id"): "",
    ("calendar.event", "sales_customer_id"): "",
    ("crm.lead", "arrival_date"): "",
    ("crm.lead", "coordinator_id"): "ACM",
    ("crm.lead", "first_contact_date"): "",
    ("crm.lead", "last_contact_date"): "",
    ("crm.lead", "not_contacted_alerted"): "",
    ("crm.lead", "perceived_need"): "ACM",
    ("crm.lead", "reach_daypart"): "ACM",
    ("crm.lead", "reach_weekday"): "ACM",
    ("crm.lead", "referred_by_id"): "ACM",
    ("crm.lead", "response_hours"): "",
    ("crm.lead", "sales_appointment_count"): "",
    ("crm.lead", "sales_is_demoed"): "",
    ("crm.lead", "sales_is_set"): "",
    ("crm.lead", "sales_is_won"): "",
    ("crm.lead", "sales_issued_date"): "",
    ("crm.lead", "sales_not_lead"): "",
    ("crm.lead", "sales_rehash_count"): "",
    ("crm.lead", "sales_reset_count"): "",
    ("crm.lead", "sales_do_not_call"): "ACM",
    ("crm.lead", "sales_wrong_number"): "",
    ("crm.lead", "tracking_number_id"): "ACM",
    ("crm.lead", "urgency"): "ACM",
    ("crm.lost.reason", "sales_is_final"): "",
    ("res.company", "sales_advisor_weekly_meetings"): "",
    ("res.company", "sales_afternoon_start"): "",
    ("res.company", "sales_appointment_duration"): "",
    ("res.company", "sales_claim_minutes"): "",
    ("res.company", "sales_confirm_accepted"): "",
    ("res.company", "sales_customer_invitation"): "",
    ("res.company", "sales_daily_call_target"): "",
    ("res.company", "sales_daily_capacity"): "",
    ("res.company", "sales_debrief_overdue_hours"): "",
    ("res.company", "sales_dialer_connect_target"): "",
    ("res.company", "sales_dialer_hour_end"): "",
    ("res.company", "sales_dialer_hour_start"): "",
    ("res.company", "sales_dialer_voicemail_url"): "",
    ("res.company", "sales_dialer_wrong_number_failures"): "",
    ("res.company", "sales_evening_end"): "",
    ("res.company", "sales_evening_start"): "",
    ("res.company", "sales_happy_call_days"): "",
    ("res.company", "sales_lead_entry_restricted"): "",
    ("res.company", "sales_max_attempts"): "",
    ("res.company", "sales_max_day_drive_minutes"): "",
    ("res.company", "sales_morning_start"): "",
    ("res.company", "sales_not_contacted_days"): "",
    ("res.company", "sales_priority_decay"): "",
    ("res.company", "sales_priority_rate_pending"): "",
    ("res.company", "sales_quote_followup_days"): "",
    ("res.company", "sales_rehash_days"): "",
    ("res.company", "sales_reminder_email"): "",
    ("res.company", "sales_routing_url"): "",
    ("res.company", "sales_shared_queue"): "",
    ("res.company", "sales_stop_minutes"): "",
    ("res.company", "sales_travel_speed"): "",
    ("res.company", "sales_weekly_capacity"): "",
    ("res.users", "backup_coordinator_id"): "",
    ("res.users", "coordinator_id"): "",
    ("res.users", "daily_appointment_capacity"): "",
    ("res.users", "is_field_advisor"): "",
    ("res.users", "is_inbound_integration"): "",
    ("res.users", "sales_dialer_on"): "A",
    ("res.users", "sales_dialer_pause"): "A",
    ("res.users", "sales_dialer_phone"): "A",
    ("res.users", "sales_dialer_voicemail_drop"): "A",
    # the user's own preference (the row is the advisor's user)
    ("res.users", "sales_next_call_after_log"): "A",
    ("res.users", "weekly_appointment_capacity"): "",
    ("sales.booking.lock", "advisor_id"): "",
    ("sales.booking.lock", "bookings"): "",
    ("sales.booking.lock", "week"): "",
    ("sales.call", "brought_lead"): "",
    ("sales.call", "answered_by"): "",
    ("sales.call", "call_date"): "C",
    ("sales.call", "caller_name"): "",
    ("sales.call", "caller_number"): "",
    ("sales.call", "company_id"): "",
    ("sales.call", "dial_events"): "",
    ("sales.call", "dial_invalid_number"): "",
    ("sales.call", "dial_leg_sid"): "",
    ("sales.call", "dial_status"): "",
    ("sales.call", "dial_voicemail_dropped"): "",
    ("sales.call", "dial_token"): "",
    ("sales.call", "direction"): "M",
    ("sales.call", "duration"): "M",
    ("sales.call", "followup_id"): "CM",
    ("sales.call", "integration_id"): "",
    ("sales.call", "lead_id"): "M",
    ("sales.call", "note"): "CM",
    ("sales.call", "provider_call_id"): "",
    ("sales.call", "reason_id"): "CM",
    ("sales.call", "recording_duration"): "",
    ("sales.call", "recording_url"): "",
    ("sales.call", "result"): "M",
    ("sales.call", "user_id"): "",
    ("sales.call.reason", "active"): "M",
    ("sales.call.reason", "description"): "M",
    ("sales.call.reason", "is_lead"): "M",
    ("sales.call.reason", "name"): "M",
    ("sales.call.reason", "sequence"): "M",
    ("sales.debrief", "advisor_id"): "",
    ("sales.debrief", "amount_untaxed"): "M",
    ("sales.debrief", "company_id"): "",
    ("sales.debrief", "coordinator_id"): "M",
    ("sales.debrief", "event_id"): "",
    ("sales.debrief", "event_start"): "",
    ("sales.debrief", "followup_date"): "M",
    ("sales.debrief", "followup_daypart"): "M",
    ("sales.debrief", "followup_id"): "",
    ("sales.debrief", "followup_window_end"): "M",
    ("sales.debrief", "followup_window_start"): "M",
    ("sales.debrief", "improvement"): "M",
    ("sales.debrief", "lead_id"): "",
    ("sales.debrief", "lost_reason_id"): "M",
    ("sales.debrief", "manager_id"): "",
    ("sales.debrief", "manager_reviewed"): "",
    ("sales.debrief", "next_event_id"): "M",
    ("sales.debrief", "next_step"): "M",
    ("sales.debrief", "outcome"): "M",
    ("sales.debrief", "probability"): "M",
    ("sales.debrief", "product_interest"): "M",
    ("sales.debrief", "state"): "",
    ("sales.debrief", "strength_1"): "M",
    ("sales.debrief", "strength_2"): "M",
    ("sales.debrief", "strength_3"): "M",
    ("sales.followup", "advisor_id"): "",
    ("sales.followup", "attempt_count"): "",
    ("sales.followup", "claim_expires_at"): "",
    ("sales.followup", "claimed_by_id"): "",
    ("sales.followup", "company_id"): "",
    ("sales.followup", "coordinator_id"): "",
    ("sales.followup", "debrief_id"): "",
    ("sales.followup", "escalated"): "",
    ("sales.followup", "held_until"): "",
    ("sales.followup", "event_id"): "",
    ("sales.followup", "is_inbound"): "",
    ("sales.followup", "kind"): "CM",
    ("sales.followup", "lead_id"): "",
    ("sales.followup", "note"): "CM",
    ("sales.followup", "priority_base"): "",
    ("sales.followup", "priority_key"): "",
    ("sales.followup", "priority_rate"): "",
    ("sales.followup", "priority_tier"): "",
    ("sales.followup", "queue_coordinator_id"): "",
    ("sales.followup", "quote_date"): "CM",
    ("sales.followup", "state"): "",
    ("sales.followup", "visit_start"): "",
    ("sales.followup", "window_end"): "CM",
    ("sales.followup", "window_start"): "CM",
    ("sales.inbound.caller", "caller"): "",
    ("sales.inbound.caller", "company_id"): "",
    ("sales.inbound.caller", "leads"): "",
    ("sales.inbound.event", "call_id"): "",
    ("sales.inbound.event", "company_id"): "",
    ("sales.inbound.event", "error"): "",
    ("sales.inbound.event", "event_id"): "",
    ("sales.inbound.event", "facts"): "",
    ("sales.inbound.event", "followup_id"): "",
    ("sales.inbound.event", "kind"): "",
    ("sales.inbound.event", "lead_id"): "",
    ("sales.inbound.event", "source_id"): "",
    ("sales.inbound.event", "started_at"): "",
    ("sales.inbound.event", "state"): "",
    ("sales.inbound.event", "status"): "",
    ("sales.inbound.event", "update_count"): "",
    ("sales.inbound.source", "active"): "M",
    ("sales.inbound.source", "account_sid"): "M",
    ("sales.inbound.source", "api_url"): "M",
    ("sales.inbound.source", "company_id"): "",
    ("sales.inbound.source", "coordinator_id"): "M",
    ("sales.inbound.source", "dialer_caller_id"): "M",
    ("sales.inbound.source", "dialer_enabled"): "M",
    ("sales.inbound.source", "dialer_record"): "M",
    ("sales.inbound.source", "endpoint_token"): "M",
    ("sales.inbound.source", "ignored_numbers"): "M",
    ("sales.inbound.source", "min_lead_duration"): "M",
    ("sales.inbound.source", "name"): "M",
    ("sales.inbound.source", "provider"): "M",
    ("sales.inbound.source", "secret"): "M",
    ("sales.inbound.source", "user_id"): "M",
    ("sales.source.cost", "amount"): "M",
    ("sales.source.cost", "campaign_id"): "M",
    ("sales.source.cost", "company_id"): "M",
    ("sales.source.cost", "medium_id"): "M",
    ("sales.source.cost", "month"): "",
    ("sales.source.cost", "note"): "M",
    ("sales.source.cost", "source_id"): "M",
    ("sales.tracking.number", "active"): "M",
    ("sales.tracking.number", "campaign_id"): "M",
    ("sales.tracking.number", "company_id"): "M",
    ("sales.tracking.number", "medium_id"): "M",
    ("sales.tracking.number", "name"): "M",
    ("sales.tracking.number", "number"): "",
    ("sales.tracking.number", "source_id"): "M",
}
# The fields a new record may be given by fewer than the roles that create it
# (the models of CREATORS).
CREATE = {
    ("calendar.event", "advisor_id"): "M",
    ("calendar.event", "booked_by_id"): "",
    ("calendar.event", "customer_response"): "",
    ("calendar.event", "debrief_overdue_alerted"): "",
    ("calendar.event", "debrief_state"): "",
    ("calendar.event", "is_no_show"): "",
    ("calendar.event", "sales_company_id"): "",
    ("calendar.event", "sales_customer_id"): "",
    ("crm.lead", "arrival_date"): "",
    ("crm.lead", "first_contact_date"): "",
    ("crm.lead", "last_contact_date"): "",
    ("crm.lead", "not_contacted_alerted"): "",
    ("crm.lead", "response_hours"): "",
    ("crm.lead", "sales_appointment_count"): "",
    ("crm.lead", "sales_is_demoed"): "",
    ("crm.lead", "sales_is_set"): "",
    ("crm.lead", "sales_is_won"): "",
    ("crm.lead", "sales_issued_date"): "",
    ("crm.lead", "sales_not_lead"): "",
    ("crm.lead", "sales_rehash_count"): "",
    ("crm.lead", "sales_reset_count"): "",
    ("crm.lead", "sales_wrong_number"): "",
    ("sales.call", "brought_lead"): "",
    ("sales.call", "answered_by"): "",
    ("sales.call", "dial_events"): "",
    ("sales.call", "dial_invalid_number"): "",
    ("sales.call", "dial_leg_sid"): "",
    ("sales.call", "dial_status"): "",
    ("sales.call", "dial_token"): "",
    ("sales.call", "dial_voicemail_dropped"): "",
    ("sales.call", "caller_name"): "",
    ("sales.call", "caller_number"): "",
    ("sales.call", "company_id"): "",
    ("sales.call", "integration_id"): "",
    ("sales.call", "lead_id"): "M",
    ("sales.call", "provider_call_id"): "",
    ("sales.call", "recording_duration"): "",
    ("sales.call", "recording_url"): "",
    ("sales.call", "user_id"): "",
    ("sales.debrief", "advisor_id"): "",
    ("sales.debrief", "company_id"): "",
    ("sales.debrief", "coordinator_id"): "CM",
    ("sales.debrief", "event_start"): "",
    ("sales.debrief", "followup_id"): "",
    ("sales.debrief", "improvement"): "M",
    ("sales.debrief", "lead_id"): "",
    ("sales.debrief", "manager_id"): "",
    ("sales.debrief", "manager_reviewed"): "",
    ("sales.debrief", "next_event_id"): "CM",
    ("sales.debrief", "state"): "",
    ("sales.debrief", "strength_1"): "M",
    ("sales.debrief", "strength_2"): "M",
    ("sales.debrief", "strength_3"): "M",
    ("sales.followup", "advisor_id"): "",
    ("sales.followup", "attempt_count"): "",
    ("sales.followup", "claim_expires_at"): "",
    ("sales.followup", "claimed_by_id"): "",
    ("sales.followup", "company_id"): "",
    ("sales.followup", "coordinator_id"): "",
    ("sales.followup", "debrief_id"): "",
    ("sales.followup", "escalated"): "",
    ("sales.followup", "held_until"): "",
    ("sales.followup", "event_id"): "",
    ("sales.followup", "is_inbound"): "",
    ("sales.followup", "lead_id"): "M",
    ("sales.followup", "priority_base"): "",
    ("sales.followup", "priority_key"): "",
    ("sales.followup", "priority_rate"): "",
    ("sales.followup", "priority_tier"): "",
    ("sales.followup", "queue_coordinator_id"): "",
    ("sales.followup", "state"): "",
    ("sales.followup", "visit_start"): "",
}
CREATORS = {
    "crm.lead": "COM",
    "calendar.event": "CM",
    "sales.followup": "CM",
    # An advisor: a draft result of their own visit, once it started.
    "sales.debrief": "ACM",
    "sales.call": "CM",
}


@tagged("post_install", "-at_install")
class TestWriteMatrix(WriteMatrixMixin, SalesCoordinationCommon):
    """Every stored field of the addon refuses a plain write from the roles the
    list does not name, for write, web_save and create."""

    _matrix_module = "sales_coordination"
    WRITE = WRITE
    CREATE = CREATE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(NOW - timedelta(days=10)):
            cls.other_past_visit = cls._book(
                user=cls.coordinator, start=PAST_VISIT - timedelta(days=7)
            )
        with freeze_time(NOW - timedelta(days=3)):
            cls.past_visit = cls._book(user=cls.coordinator, start=PAST_VISIT)
            cls.upcoming = cls._book(user=cls.coordinator, start=UPCOMING)
        with freeze_time(NOW):
            cls.debrief = cls.env["sales.debrief"].create(
                {
                    "event_id": cls.past_visit.id,
                    "product_interest": "Heat pump",
                    "amount_untaxed": 8000,
                    "probability": 40,
                    "outcome": "repeat",
                    "followup_window_start": NOW + timedelta(days=2),
                    "followup_window_end": NOW + timedelta(days=2, hours=4),
                }
            )
            cls.debrief.action_confirm()
            cls.followup = cls.env["sales.followup"].create(
                {
                    "lead_id": cls.lead.id,
                    "kind": "callback",
                    "window_start": NOW + timedelta(hours=1),
                    "window_end": NOW + timedelta(hours=3),
                }
            )
            cls.call = (
                cls.env["sales.call"]
                .with_user(cls.coordinator)
                .create({"lead_id": cls.lead.id, "result": "no_answer"})
            )
        cls.integration = cls.env["sales.inbound.source"].create(
            {"name": "Call tracking", "coordinator_id": cls.coordinator.id}
        )
        cls.env["sales.inbound.source"].create({"name": "Web forms"})
        cls.spare_integration_user = cls._new_user(
            "sc_spare_integration",
            "sales_coordination.group_inbound_integration",
            "Spare (integration)",
            is_inbound_integration=True,
        )
        cls.medium = cls.env["utm.medium"].create({"name": "Radio (matrix)"})
        cls.other_source = cls.env["utm.source"].create({"name": "Flyer (matrix)"})
        cls.env["utm.campaign"].create({"name": "Spring (matrix)"})
        cls.records = {
            "calendar.event": cls.upcoming,
            "crm.lead": cls.lead,
            "crm.lost.reason": cls.env.ref(
                "sales_coordination.crm_lost_reason_definitive_no"
            ),
            "res.company": cls.company,
            "res.users": cls.advisor,
            "sales.booking.lock": cls.env["sales.booking.lock"].search(
                [("advisor_id", "=", cls.advisor.id)], limit=1
            ),
            "sales.call": cls.call,
            "sales.call.reason": cls.env["sales.call.reason"].create(
                {"name": "Spam", "is_lead": False}
            ),
            "sales.debrief": cls.debrief,
            "sales.followup": cls.followup,
            "sales.inbound.caller": cls.env["sales.inbound.caller"].create(
                {"company_id": cls.company.id, "caller": "+15550100", "leads": 1}
            ),
            "sales.inbound.event": cls.env["sales.inbound.event"].create(
                {
                    "source_id": cls.integration.id,
                    "event_id": "ev-matrix",
                    "kind": "call",
                    "state": "done",
                    "lead_id": cls.lead.id,
                }
            ),
            "sales.inbound.source": cls.integration,
            "sales.source.cost": cls.env["sales.source.cost"].create(
                {
                    "source_id": cls.source.id,
                    "month": date(2031, 2, 1),
                    "amount": 500,
                }
            ),
            "sales.tracking.number": cls.env["sales.tracking.number"].create(
                {"number": "+1 217 555 0199", "source_id": cls.source.id}
            ),
        }

    def _matrix_values(self):
        return {
            ("calendar.event", "advisor_id"): self.advisor_2.id,
            ("calendar.event", "appointment_type"): "new",
            ("res.company", "sales_routing_url"): "http://127.0.0.1:5999",
            ("sales.tracking.number", "number"): "+1 217 555 0142",
            ("sales.followup", "window_start"): NOW + timedelta(hours=2),
            ("sales.debrief", "followup_window_start"): NOW
            + timedelta(days=2, hours=1),
            ("sales.debrief", "event_id"): self.other_past_visit.id,
            ("sales.inbound.source", "ignored_numbers"): "+1 217 555 0177",
            # A rotated secret: the model refuses one under 32 characters.
            ("sales.inbound.source", "secret"): "x" * 40,
            ("sales.inbound.source", "user_id"): self.spare_integration_user.id,
            ("sales.inbound.source", "dialer_caller_id"): "+1 217 555 0100",
            # The cast's integration is a generic one, which never dials.
            ("sales.inbound.source", "dialer_enabled"): False,
            ("res.users", "sales_dialer_phone"): "+1 312 555 0142",
        }

    def _create_values(self, model):
        return {
            "crm.lead": {
                "name": "Windows for Dora",
                "type": "opportunity",
                "source_id": self.source.id,
            },
            "calendar.event": self._appointment_values(
                start=UPCOMING + timedelta(days=1)
            ),
            "sales.followup": {
                "lead_id": self.lead.id,
                "kind": "callback",
                "window_start": NOW + timedelta(hours=1),
                "window_end": NOW + timedelta(hours=3),
            },
            "sales.debrief": {
                "event_id": self.other_past_visit.id,
                "product_interest": "Boiler",
                "outcome": "repeat",
            },
            "sales.call": {"lead_id": self.lead.id, "result": "connected"},
        }[model]

    def test_who_may_change_what(self):
        self.assertTrue(self.records["sales.booking.lock"])
        with freeze_time(NOW):
            self._check_matrix(self.records, CREATORS)
