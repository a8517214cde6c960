from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon
from odoo.addons.sms.tests.common import SMSCase

BOOKED_AT = datetime(2031, 3, 1, 10, 0)


@tagged("post_install", "-at_install")
class TestSmsReminder(SalesCoordinationCommon, SMSCase):
    """With Odoo's calendar_sms, the customer also gets a text the day before
    (a company setting), through calendar_sms's own reminder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.phone = "+32 456 00 11 22"
        cls.advisor.partner_id.phone = "+32 456 99 88 77"
        cls.coordinator.phone = "+32 2 555 01 99"
        cls.sms_alarm = cls.env.ref(
            "sales_coordination_sms.calendar_alarm_sales_reminder_sms"
        )
        cls.mail_alarm = cls.env.ref(
            "sales_coordination.calendar_alarm_sales_reminder_email"
        )

    def _book_visit(self, **kwargs):
        with freeze_time(BOOKED_AT):
            return self._book(user=self.coordinator, **kwargs)

    def _send_reminders(self):
        with freeze_time(self.start - timedelta(days=1, minutes=-1)):
            self.env["calendar.alarm_manager"].with_context(
                lastcall=self.start - timedelta(days=1, hours=1)
            )._send_reminder()

    def test_text_to_the_customer_the_day_before(self):
        event = self._book_visit()
        self.assertEqual(event.alarm_ids, self.mail_alarm | self.sms_alarm)
        with self.mockSMSGateway():
            self._send_reminders()
        self.assertEqual(len(self._new_sms), 1, "the customer only, not the advisor")
        self.assertSMS(self.customer, "+32456001122", "pending")
        body = self._new_sms.body
        self.assertIn("Ada Advisor visits you", body)
        self.assertIn("+32 2 555 01 99", body)

    def test_no_text_after_a_decline_or_when_off(self):
        event = self._book_visit()
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.customer)
        with freeze_time(BOOKED_AT):
            attendee.sudo().do_decline()  # as Odoo's invitation route does
        self.assertEqual(event.customer_response, "declined")
        with self.mockSMSGateway():
            self._send_reminders()
        self.assertFalse(self._new_sms)
        self.company.sales_reminder_sms = False
        later = self._book_visit(start=self.start + timedelta(days=1))
        self.assertEqual(later.alarm_ids, self.mail_alarm)
