from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestDebriefOverdue(SalesCoordinationCommon):
    """An appointment's debrief is overdue after the delay of the appointment's
    company, whichever company the reader works in: its form (and the Debrief
    Overdue filter) and the coordinators' board give the same answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sales_debrief_overdue_hours = 24
        cls.company_2.sales_debrief_overdue_hours = 72
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

    def _answers(self, event, row_company, reader_company):
        """The form's answer, the filter's and the board's, read from
        ``reader_company``."""
        env = self.env(
            context=dict(
                self.env.context,
                allowed_company_ids=[reader_company.id, row_company.id],
            )
        )
        self.env.invalidate_all()
        form = env["calendar.event"].browse(event.id).is_debrief_overdue
        listed = event in env["calendar.event"].search(
            [("is_debrief_overdue", "=", True)]
        )
        row = env["sales.coordinator.board"].search(
            [
                ("user_id", "=", event.advisor_id.coordinator_id.id),
                ("company_id", "=", row_company.id),
            ]
        )
        return form, listed, bool(row.debriefs_overdue)

    def test_form_and_board_agree_in_every_case(self):
        # (advisor, lead, the company whose delay counts and whose row of the
        # board shows it, a company the reader works in that has another delay)
        cases = {
            "company's": (self.advisor, self.lead, self.company, self.company_2),
            "other company's": (
                self.advisor_c2,
                self.lead_c2,
                self.company_2,
                self.company,
            ),
            "no company, coordinator's": (
                self.advisor,
                self.lead_nowhere,
                self.company,
                self.company_2,
            ),
            "no company, other coordinator's": (
                self.advisor_c2,
                self.lead_nowhere_2,
                self.company_2,
                self.company,
            ),
        }
        for name, (advisor, lead, company, reader) in cases.items():
            savepoint = self.env.cr.savepoint()
            try:
                event = self._book(advisor=advisor, lead=lead)
                event._sales_write_workflow({"debrief_state": "due"})
                hours = company.sales_debrief_overdue_hours
                for after in (23, 25, 71, 73):
                    with (
                        self.subTest(case=name, hours_after=after),
                        freeze_time(event.stop + timedelta(hours=after)),
                    ):
                        expected = after > hours
                        self.assertEqual(
                            self._answers(event, company, reader),
                            (expected, expected, expected),
                        )
            finally:
                savepoint.close(rollback=True)
                self.env.transaction.clear()
