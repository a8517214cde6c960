from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SalesCoordinationCommon

T0 = datetime(2031, 3, 3, 9, 0)


@tagged("post_install", "-at_install")
class TestSpeedToLead(SalesCoordinationCommon):
    """First and last contact, speed to lead, and the not-contacted alert."""

    def _lead(self, **values):
        with freeze_time(T0):
            lead = self.env["crm.lead"].create(
                dict(
                    {
                        "name": "Web form",
                        "type": "opportunity",
                        "user_id": self.advisor.id,
                        "source_id": self.source.id,
                    },
                    **values,
                )
            )
            lead.flush_recordset()
        return lead

    def _call(self, lead, at, **values):
        with freeze_time(at):
            return (
                self.env["sales.call"]
                .with_user(self.coordinator)
                .create(dict({"lead_id": lead.id}, **values))
            )

    def test_first_outbound_call(self):
        lead = self._lead()
        self.assertFalse(lead.first_contact_date)
        self._call(lead, T0 + timedelta(hours=2), direction="out", result="no_answer")
        self.assertEqual(lead.first_contact_date, T0 + timedelta(hours=2))
        self.assertAlmostEqual(lead.response_hours, 2.0)
        self._call(lead, T0 + timedelta(days=1), direction="out", result="connected")
        self.assertEqual(lead.first_contact_date, T0 + timedelta(hours=2))
        self.assertEqual(lead.last_contact_date, T0 + timedelta(days=1))

    def test_speed_to_lead_at_any_hour(self):
        self._at_each_moment(self._check_speed_to_lead)

    def _check_speed_to_lead(self, now):
        """A lead that arrives at ``now`` and is called back 90 minutes later:
        its speed to lead, and the board's of the week it arrived in."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Web form",
                "type": "opportunity",
                "user_id": self.advisor.id,
                "source_id": self.source.id,
            }
        )
        self.assertEqual(lead.arrival_date, now)
        called = now + timedelta(minutes=90)
        self._call(lead, called, direction="out", result="no_answer")
        self.assertEqual(lead.first_contact_date, called)
        self.assertAlmostEqual(lead.response_hours, 1.5)
        same_week = now.isocalendar()[:2] == called.isocalendar()[:2]
        with freeze_time(called):
            row = self.env["sales.coordinator.board"].search(
                [("user_id", "=", self.coordinator.id)]
            )
            self.assertEqual(row.speed_to_lead_count, int(same_week))
            if same_week:
                self.assertAlmostEqual(row.speed_to_lead_hours, 1.5)

    def test_board_reads_the_leads_own_speed(self):
        """The board's speed to lead is the median of its leads' own: a lead
        whose first contact was a call under way when it arrived answered at
        once (0 hours), not before it arrived."""
        at_once, later = self._lead(), self._lead()
        # The customer's call began half an hour before the lead was entered.
        self._call(at_once, T0 - timedelta(minutes=30), direction="in", duration=3600)
        self._call(later, T0 + timedelta(hours=2), direction="out", result="no_answer")
        self.assertEqual(
            (at_once | later).mapped("response_hours"), [0.0, 2.0], "their own"
        )
        with freeze_time(T0 + timedelta(hours=3)):
            row = self.env["sales.coordinator.board"].search(
                [
                    ("user_id", "=", self.coordinator.id),
                    ("company_id", "=", self.company.id),
                ]
            )
            self.assertEqual(row.speed_to_lead_count, 2)
            self.assertAlmostEqual(row.speed_to_lead_hours, 1.0)

    def test_missed_inbound_call_is_no_contact(self):
        lead = self._lead()
        self._call(lead, T0 + timedelta(minutes=5), direction="in", result="no_answer")
        self.assertFalse(lead.first_contact_date)
        self._call(lead, T0 + timedelta(minutes=30), direction="in", result="connected")
        self.assertEqual(lead.first_contact_date, T0 + timedelta(minutes=30))
        self.assertAlmostEqual(lead.response_hours, 0.5)

    def test_email_to_customer_is_contact_note_is_not(self):
        customer = self.env["res.partner"].create(
            {"name": "Emma Mailed", "email": "emma@example.com"}
        )
        lead = self._lead(partner_id=customer.id)
        with freeze_time(T0 + timedelta(hours=1)):
            lead.with_user(self.coordinator).message_post(
                body="Internal", message_type="comment", subtype_xmlid="mail.mt_note"
            )
        self.assertFalse(lead.first_contact_date)
        with freeze_time(T0 + timedelta(hours=3)):
            lead.with_user(self.coordinator).message_post(
                body="Thanks for your request",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=customer.ids,
            )
        self.assertEqual(lead.first_contact_date, T0 + timedelta(hours=3))

    def test_a_message_that_reaches_no_customer_is_no_contact(self):
        """Speed to lead cannot be faked: a "sent" message to colleagues, or to
        somebody else than the customer, as any client can post it, is no
        contact."""
        customer = self.env["res.partner"].create(
            {"name": "Emma Mailed", "email": "emma@example.com"}
        )
        stranger = self.env["res.partner"].create(
            {"name": "Somebody else", "email": "else@example.com"}
        )
        lead = self._lead(partner_id=customer.id)
        lead.message_unsubscribe(customer.ids)
        lead.message_subscribe(self.advisor.partner_id.ids)
        for partners in (
            [],
            self.advisor.partner_id.ids,
            self.manager.partner_id.ids,
            stranger.ids,
        ):
            with self.subTest(partners=partners):
                with freeze_time(T0 + timedelta(minutes=10)):
                    lead.with_user(self.coordinator).message_post(
                        body="Called them already!",
                        message_type="comment",
                        subtype_xmlid="mail.mt_comment",
                        partner_ids=partners,
                    )
                self.assertFalse(lead.first_contact_date)
        # The e-mail that reaches the customer's address is.
        lead.email_from = "emma@example.com"
        with freeze_time(T0 + timedelta(hours=4)):
            lead.with_user(self.coordinator).message_post(
                body="Here is our offer",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=customer.ids,
            )
        self.assertEqual(lead.first_contact_date, T0 + timedelta(hours=4))

    def test_not_contacted_filter_and_alert_once(self):
        self.company.sales_not_contacted_days = 3
        quiet = self._lead(name="Quiet")
        called = self._lead(name="Called")
        won = self._lead(
            name="Won",
            stage_id=self.env["crm.stage"].search([("is_won", "=", True)], limit=1).id,
        )
        self._call(called, T0 + timedelta(days=2))
        Lead = self.env["crm.lead"]
        domain = [("id", "in", (quiet | called | won).ids)]
        with freeze_time(T0 + timedelta(days=2, hours=23)):
            self.assertFalse(Lead.search(domain + [("is_not_contacted", "=", True)]))
        with freeze_time(T0 + timedelta(days=3, hours=1)):
            self.assertEqual(
                Lead.search(domain + [("is_not_contacted", "=", True)]), quiet
            )
            self.assertEqual(
                Lead.search(domain + [("is_not_contacted", "=", False)]), called | won
            )
            Lead._cron_alert_not_contacted()
            Lead._cron_alert_not_contacted()
        activity_type = self.env.ref("sales_coordination.mail_activity_type_contact")
        activities = quiet.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertEqual(len(activities), 1, "one activity, not one per run")
        self.assertEqual(activities.user_id, self.coordinator)
        self.assertFalse(
            called.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        )
        # A contact re-arms the alert for the next silence.
        self._call(quiet, T0 + timedelta(days=4))
        self.assertFalse(quiet.not_contacted_alerted)
