from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SalesCoordinationCommon

NOW = datetime(2031, 3, 10, 9, 0)
CRON_LOGGER = "odoo.addons.sales_coordination.tools.cron"


@tagged("post_install", "-at_install")
class TestCronBatches(SalesCoordinationCommon):
    """The scheduled actions work in short batches that ir.cron commits one by
    one, each company on its own, and a backlog is caught up without a storm of
    e-mails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sales_not_contacted_days = 3
        cls.company_2.sales_not_contacted_days = 3
        # Whatever the database already holds was alerted long ago.
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE crm_lead SET not_contacted_alerted = TRUE")
        cls.env.invalidate_all()
        cls.Lead = cls.env["crm.lead"]
        cls.activity_type = cls.env.ref("sales_coordination.mail_activity_type_contact")

    def _quiet_lead(self, arrived, **values):
        with freeze_time(arrived):
            lead = self.Lead.create(
                {
                    "name": f"Quiet since {arrived}",
                    "type": "opportunity",
                    "user_id": self.advisor.id,
                    "source_id": self.source.id,
                    **values,
                }
            )
            lead.flush_recordset()
        return lead

    def _alerts(self, leads):
        return leads.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type
        )

    def _mailed(self, lead, user):
        """Whether ``user`` was notified (e-mailed) of an activity on ``lead``."""
        return bool(
            self.env["mail.message"].search_count(
                [
                    ("model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("partner_ids", "in", user.partner_id.ids),
                ]
            )
        )

    def _progress(self, xmlid="sales_coordination.ir_cron_alert_not_contacted"):
        _cron, progress = self.env.ref(xmlid)._add_progress()
        return progress

    def test_batches_tell_ir_cron_what_remains(self):
        leads = self.Lead.browse()
        for day in range(5):
            leads |= self._quiet_lead(NOW - timedelta(days=4, hours=day))
        progress = self._progress()
        Lead = self.Lead.with_context(ir_cron_progress_id=progress.id)
        with freeze_time(NOW):
            self.assertEqual(Lead._cron_alert_not_contacted(batch=3), 3)
            self.assertEqual((progress.done, bool(progress.remaining)), (3, True))
            self.assertEqual(len(self._alerts(leads)), 3)
            self.assertEqual(Lead._cron_alert_not_contacted(batch=3), 2)
            self.assertEqual((progress.done, progress.remaining), (2, 0))
            self.assertEqual(Lead._cron_alert_not_contacted(batch=3), 0)
        self.assertEqual(len(self._alerts(leads)), 5)
        self.assertTrue(all(leads.mapped("not_contacted_alerted")))

    def test_backlog_gets_activities_without_emails(self):
        backlog = self._quiet_lead(NOW - timedelta(days=40))
        fresh = self._quiet_lead(NOW - timedelta(days=3, hours=2))
        with freeze_time(NOW):
            self.Lead._cron_alert_not_contacted()
        self.assertEqual(self._alerts(backlog).user_id, self.coordinator)
        self.assertEqual(self._alerts(fresh).user_id, self.coordinator)
        self.assertFalse(self._mailed(backlog, self.coordinator))
        self.assertTrue(self._mailed(fresh, self.coordinator))

    def test_one_company_failing_spares_the_others(self):
        lead = self._quiet_lead(NOW - timedelta(days=5))
        lead_c2 = self._quiet_lead(
            NOW - timedelta(days=5),
            user_id=self.advisor_c2.id,
            company_id=self.company_2.id,
        )
        alert = type(self.Lead)._alert_not_contacted

        def failing(self, company, limit):
            result = alert(self, company, limit)
            if company == lead_c2.company_id:
                raise ValueError("the other company's mail server is on fire")
            return result

        with (
            freeze_time(NOW),
            patch.object(type(self.Lead), "_alert_not_contacted", failing),
            self.assertLogs(CRON_LOGGER, "ERROR") as logs,
        ):
            self.Lead._cron_alert_not_contacted()
        self.assertIn("Other Company", logs.output[0])
        self.assertTrue(self._alerts(lead))
        self.assertTrue(lead.not_contacted_alerted)
        # Rolled back alone: tried again at the next run.
        self.assertFalse(self._alerts(lead_c2))
        self.assertFalse(lead_c2.not_contacted_alerted)
        with freeze_time(NOW):
            self.Lead._cron_alert_not_contacted()
        self.assertTrue(lead_c2.not_contacted_alerted)

    def test_debrief_states_in_batches(self):
        # Whatever the database already holds was debriefed long ago.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE calendar_event SET debrief_state = 'done' "
            "WHERE debrief_state IS DISTINCT FROM 'done'"
        )
        self.env.invalidate_all()
        events = self.env["calendar.event"]
        for day in range(3):
            events |= self._book(start=datetime(2031, 3, 3 + day, 9))
        progress = self._progress("sales_coordination.ir_cron_debrief_states")
        Event = self.env["calendar.event"].with_context(ir_cron_progress_id=progress.id)
        with freeze_time(datetime(2031, 3, 6, 12)):
            Event._cron_debrief_states(batch=2)
            self.assertEqual(progress.done, 2)
            self.assertTrue(progress.remaining)
            self.assertEqual(events.mapped("debrief_state").count("due"), 2)
            Event._cron_debrief_states(batch=2)
        self.assertEqual(events.mapped("debrief_state"), ["due"] * 3)
