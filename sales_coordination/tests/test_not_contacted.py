from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import SalesCoordinationCommon

# When the leads of the cases arrived.
ARRIVAL = datetime(2031, 3, 3, 10, 0)


@tagged("post_install", "-at_install")
class TestNotContacted(SalesCoordinationCommon):
    """Nobody contacted a lead for longer than the delay of the lead's company
    (without one, of its coordinator's main company), whichever company the
    reader works in: its form, the Not Contacted filter, the alert and the
    coordinators' board give the same answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sales_not_contacted_days = 3
        cls.company_2.sales_not_contacted_days = 10
        Lead = cls.env["crm.lead"]
        cls.lead_nowhere, cls.lead_nowhere_2 = Lead.create(
            [
                {
                    "name": name,
                    "type": "opportunity",
                    "company_id": False,
                    "source_id": cls.source.id,
                    "user_id": advisor.id,
                }
                for name, advisor in (
                    ("No company", cls.advisor),
                    ("No company, c2", cls.advisor_c2),
                )
            ]
        )

    def _sql(self, query, *args):
        self.env.flush_all()
        self.env.cr.execute(SQL(query, *args))
        self.env.invalidate_all()

    def _answers(self, lead, row_company, reader_company):
        """The form's answer and the filter's, read from ``reader_company``; the
        leads the board counts in the lead's row, and those the filter finds
        for that row."""
        env = self.env(
            context=dict(
                self.env.context,
                allowed_company_ids=[reader_company.id, row_company.id],
            )
        )
        self.env.invalidate_all()
        Lead = env["crm.lead"]
        form = Lead.browse(lead.id).is_not_contacted
        listed = lead in Lead.search([("is_not_contacted", "=", True)])
        coordinator = lead.coordinator_id
        row = env["sales.coordinator.board"].search(
            [("user_id", "=", coordinator.id), ("company_id", "=", row_company.id)]
        )
        companies = [row_company.id]
        if row_company == coordinator.company_id:
            companies.append(False)
        filtered = Lead.search_count(
            [
                ("coordinator_id", "=", coordinator.id),
                ("company_id", "in", companies),
                ("is_not_contacted", "=", True),
            ]
        )
        return form, listed, row.leads_not_contacted, filtered

    def test_form_and_board_agree_in_every_case(self):
        # (lead, the company whose delay counts and whose row of the board
        # shows it, a company the reader works in that has another delay)
        cases = {
            "company's": (self.lead, self.company, self.company_2),
            "other company's": (self.lead_c2, self.company_2, self.company),
            "no company, coordinator's": (
                self.lead_nowhere,
                self.company,
                self.company_2,
            ),
            "no company, other coordinator's": (
                self.lead_nowhere_2,
                self.company_2,
                self.company,
            ),
        }
        for name, (lead, company, reader) in cases.items():
            self.assertTrue(lead.coordinator_id, name)
            savepoint = self.env.cr.savepoint()
            try:
                # The coordinator's other leads were contacted at the moments
                # read; this one arrived and nobody called.
                self._sql(
                    "UPDATE crm_lead SET last_contact_date = %s"
                    " WHERE coordinator_id = %s AND id != %s",
                    ARRIVAL + timedelta(days=30),
                    lead.coordinator_id.id,
                    lead.id,
                )
                self._sql(
                    "UPDATE crm_lead SET arrival_date = %s, last_contact_date = NULL"
                    " WHERE id = %s",
                    ARRIVAL,
                    lead.id,
                )
                days = company.sales_not_contacted_days
                for after in (2, 4, 9, 11):
                    with (
                        self.subTest(case=name, days_after=after),
                        freeze_time(ARRIVAL + timedelta(days=after, hours=1)),
                    ):
                        expected = after >= days
                        self.assertEqual(
                            self._answers(lead, company, reader),
                            (expected, expected, int(expected), int(expected)),
                        )
            finally:
                savepoint.close(rollback=True)
                self.env.transaction.clear()

    def test_alert_after_the_lead_company_delay(self):
        """The scheduler's alert follows the same delay."""
        self._sql(
            "UPDATE crm_lead SET arrival_date = %s, last_contact_date = NULL"
            " WHERE id IN %s",
            ARRIVAL,
            (self.lead.id, self.lead_c2.id),
        )
        Lead = self.env["crm.lead"]
        with freeze_time(ARRIVAL + timedelta(days=5)):
            Lead._cron_alert_not_contacted()
        self.assertTrue(self.lead.not_contacted_alerted)
        self.assertFalse(self.lead_c2.not_contacted_alerted)
        with freeze_time(ARRIVAL + timedelta(days=11)):
            Lead._cron_alert_not_contacted()
        self.assertTrue(self.lead_c2.not_contacted_alerted)

    def test_alert_of_a_lead_without_company_says_its_own_delay(self):
        """A lead without a company follows its coordinator's main company (3
        days here), whichever company's batch finds it (the other company's,
        10 days, runs first): the activity says 3 days, and the coordinator is
        notified on the day it reached them."""
        lead = self.lead_nowhere
        self.assertEqual(lead.coordinator_id.company_id, self.company)
        self.assertEqual(lead._sales_company(), self.company)
        self.assertEqual(self.env["res.company"].search([], limit=1), self.company_2)
        self._sql(
            "UPDATE crm_lead SET arrival_date = %s, last_contact_date = NULL"
            " WHERE id = %s",
            ARRIVAL,
            lead.id,
        )
        with freeze_time(ARRIVAL + timedelta(days=3, hours=12)):
            self.env["crm.lead"]._cron_alert_not_contacted()
        self.assertTrue(lead.not_contacted_alerted)
        activity = lead.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("sales_coordination.mail_activity_type_contact")
        )
        self.assertEqual(activity.user_id, lead.coordinator_id)
        self.assertIn("for 3 days", activity.note)
