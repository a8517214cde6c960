from datetime import timedelta

from odoo.tests import tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestReportSource(SalesCoordinationCommon):
    """Leads, appointments, sales, revenue and conversion by source on a fixed
    dataset, against figures computed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.radio = cls.env["utm.source"].create({"name": "Radio (report)"})
        cls.signs = cls.env["utm.source"].create({"name": "Signs (report)"})
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        Lead = cls.env["crm.lead"]
        base = {"type": "opportunity", "company_id": cls.company.id}
        cls.radio_won = Lead.create(
            dict(
                base,
                name="R1",
                source_id=cls.radio.id,
                user_id=cls.advisor.id,
                expected_revenue=9000,
                stage_id=won_stage.id,
            )
        )
        cls.radio_open = Lead.create(
            dict(
                base,
                name="R2",
                source_id=cls.radio.id,
                user_id=cls.advisor.id,
                expected_revenue=5000,
            )
        )
        cls.radio_lost = Lead.create(
            dict(
                base,
                name="R3",
                source_id=cls.radio.id,
                user_id=cls.advisor_2.id,
                expected_revenue=7000,
            )
        )
        cls.radio_lost.action_set_lost()
        cls.signs_open = Lead.create(
            dict(base, name="S1", source_id=cls.signs.id, user_id=cls.advisor_2.id)
        )
        cls.sources = cls.radio | cls.signs
        cls._book(lead=cls.radio_won)
        cls._book(lead=cls.radio_open, start=cls.start + timedelta(days=1))
        cancelled = cls._book(lead=cls.radio_open, start=cls.start.replace(hour=13))
        cancelled.action_archive()
        cls.env.flush_all()

    def _by_source(self, user=None):
        Report = self.env["sales.report.source"]
        if user:
            Report = Report.with_user(user)
        groups = Report.read_group(
            [("source_id", "in", self.sources.ids)],
            [
                "lead_count:sum",
                "appointment_count:sum",
                "won_count:sum",
                "revenue:sum",
                "conversion_rate:avg",
            ],
            ["source_id"],
        )
        return {
            group["source_id"][1]: (
                group["lead_count"],
                group["appointment_count"],
                group["won_count"],
                group["revenue"],
                round(group["conversion_rate"] * 100, 2),
            )
            for group in groups
        }

    def test_figures_by_source(self):
        self.assertEqual(
            self._by_source(),
            {
                # 3 leads, 2 live appointments (the cancelled one is left out),
                # 1 won at 9000: a third converted.
                "Radio (report)": (3, 2, 1, 9000.0, 33.33),
                # Nothing sold: zero, not an error.
                "Signs (report)": (1, 0, 0, 0.0, 0.0),
            },
        )

    def test_advisor_sees_own_rows(self):
        self.assertEqual(
            self._by_source(self.advisor),
            {"Radio (report)": (2, 2, 1, 9000.0, 50.0)},
        )

    def test_coordinator_and_manager_rows(self):
        self.assertEqual(
            self._by_source(self.other_coordinator),
            {
                "Radio (report)": (1, 0, 0, 0.0, 0.0),
                "Signs (report)": (1, 0, 0, 0.0, 0.0),
            },
        )
        self.assertEqual(self._by_source(self.manager), self._by_source())
        self.assertEqual(self._by_source(self.manager_c2), {})

    def test_month_grouping(self):
        groups = self.env["sales.report.source"].read_group(
            [("source_id", "=", self.radio.id)], ["lead_count:sum"], ["date:month"]
        )
        self.assertEqual(sum(g["lead_count"] for g in groups), 3)
