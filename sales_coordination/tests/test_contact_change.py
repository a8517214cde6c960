from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_customer_response import BOOKED_AT, REPLY_AT, CustomerResponseCommon


@tagged("post_install", "-at_install")
class TestContactChange(CustomerResponseCommon):
    """Changing the opportunity's contact re-invites nobody on a booked
    appointment unless the advisor's coordinator (or their backup, or a
    manager) decides it; the coordinator is told of anyone else's change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.neighbour = cls.env["res.partner"].create(
            {"name": "Ned Neighbour", "email": "ned@example.com"}
        )
        cls.kind = cls.env.ref("sales_coordination.mail_activity_type_contact_changed")

    def setUp(self):
        super().setUp()
        self.event = self._book_visit()
        # The customer accepted through the invitation's link.
        with freeze_time(REPLY_AT):
            self._customer_attendee(self.event).sudo().do_accept()
        self.assertEqual(self.event.customer_response, "accepted")

    def _told(self):
        return self.lead.activity_ids.filtered(
            lambda activity: activity.activity_type_id == self.kind
        )

    def _mails_to(self, partner):
        """What was sent or posted to ``partner``."""
        return self.env["mail.mail"].search_count(
            [("recipient_ids", "in", partner.ids)]
        ) + self.env["mail.message"].search_count([("partner_ids", "in", partner.ids)])

    def test_advisor_changing_the_contact_invites_nobody(self):
        with freeze_time(BOOKED_AT):
            self.lead.with_user(self.advisor).partner_id = self.neighbour
        self.assertEqual(self.lead.partner_id, self.neighbour)
        self.assertEqual(
            self.event.partner_ids, self.advisor.partner_id | self.customer
        )
        self.assertEqual(self.event.sales_customer_id, self.customer)
        self.assertEqual(self.event.customer_response, "accepted", "still theirs")
        self.assertFalse(self._mails_to(self.neighbour), "nothing sent to them")
        told = self._told()
        self.assertEqual(len(told), 1)
        self.assertEqual(told.user_id, self.lead.coordinator_id or self.coordinator)
        self.assertIn("Ada Advisor changed the contact to Ned Neighbour", told.summary)
        self.assertIn("still invites Carla Customer", str(told.note))
        # The customer's answer stays theirs: not the advisor's to write now.
        attendee = self._customer_attendee(self.event)
        with self.assertRaises(UserError):
            attendee.with_user(self.advisor).write({"state": "declined"})
        # Nor are the attendees (as before the change).
        with self.assertRaises(AccessError):
            self.event.with_user(self.advisor).write(
                {"partner_ids": [Command.link(self.neighbour.id)]}
            )
        with self.assertRaises(AccessError):
            self.event.with_user(self.advisor).action_sales_invite_lead_contact()

    def test_coordinator_invites_the_new_contact_when_told(self):
        with freeze_time(BOOKED_AT):
            self.lead.with_user(self.advisor).partner_id = self.neighbour
        for user in (self.other_coordinator, self.coordinator_c2):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.event.with_user(user).action_sales_invite_lead_contact()
        with freeze_time(BOOKED_AT):
            self.event.with_user(self.coordinator).action_sales_invite_lead_contact()
        self.assertEqual(
            self.event.partner_ids, self.advisor.partner_id | self.neighbour
        )
        self.assertEqual(self.event.sales_customer_id, self.neighbour)
        self.assertEqual(self.event.customer_response, "none", "theirs to give")
        self.assertFalse(self.event.sales_contact_changed)
        self.assertFalse(self._told())

    def test_coordinator_changing_the_contact_invites_the_new_one(self):
        for user in (self.coordinator, self.backup_coordinator, self.manager):
            contact = self.env["res.partner"].create({"name": f"Contact {user.login}"})
            with self.subTest(user=user.login), freeze_time(BOOKED_AT):
                self.lead.with_user(user).partner_id = contact
                self.assertEqual(self.event.sales_customer_id, contact)
                self.assertIn(contact, self.event.partner_ids)
                self.assertNotIn(self.customer, self.event.partner_ids)
        self.assertFalse(self._told())
