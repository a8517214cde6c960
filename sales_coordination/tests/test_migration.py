import importlib.util
from datetime import datetime
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import SQL

from .test_followup_claim import FollowupCommon

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def load_migration(version, name):
    path = MIGRATIONS / version / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigration18(FollowupCommon):
    """18.0.1.8.0 puts right what was written before the rules refused it."""

    def _sql(self, query, *args):
        self.env.flush_all()
        self.env.cr.execute(SQL(query, *args))
        self.env.invalidate_all()

    def test_strays_handed_over_and_first_contacts_recounted(self):
        open_call = self._followup(lead=self.lead, kind="callback")
        closed = self.env["crm.lead"].create(
            {"name": "Worked long ago", "source_id": self.source.id}
        )
        # Written before the rule: a salesman as the coordinator of an open lead
        # with a call queued and of a closed one, the salesman as an advisor's
        # backup coordinator.
        self._sql(
            "UPDATE crm_lead SET coordinator_id = %s WHERE id IN %s",
            self.salesman.id,
            (self.lead.id, closed.id),
        )
        self._sql("UPDATE crm_lead SET active = FALSE WHERE id = %s", closed.id)
        self._sql(
            "UPDATE res_users SET backup_coordinator_id = %s WHERE id = %s",
            self.salesman.id,
            self.advisor_2.id,
        )
        # A first contact a day before the lead arrived, one call after it.
        arrival = datetime(2026, 3, 2, 9, 0)
        self._sql(
            "UPDATE crm_lead SET arrival_date = %s, first_contact_date = %s "
            "WHERE id = %s",
            arrival,
            datetime(2026, 3, 1, 9, 0),
            self.lead_2.id,
        )
        self.env["sales.call"].create(
            {
                "lead_id": self.lead_2.id,
                "user_id": self.coordinator.id,
                "direction": "out",
                "result": "no_answer",
                "call_date": datetime(2026, 3, 2, 10, 30),
            }
        )
        self._sql(
            "UPDATE crm_lead SET first_contact_date = %s WHERE id = %s",
            datetime(2026, 3, 1, 9, 0),
            self.lead_2.id,
        )
        load_migration("18.0.1.8.0", "post-migrate").migrate(self.env.cr, "18.0.1.7.0")
        self.env.invalidate_all()
        # The open lead goes to its advisor's coordinator; the closed one keeps
        # who worked it; the salesman is nobody's backup any more.
        self.assertEqual(
            self.lead.coordinator_id, self.lead._sales_stand_in(self.salesman)
        )
        self.assertTrue(
            self.lead.coordinator_id._sales_coordinates(self.lead.company_id)
        )
        self.assertEqual(open_call.queue_coordinator_id, self.lead.coordinator_id)
        self.assertEqual(closed.coordinator_id, self.salesman)
        self.assertFalse(self.advisor_2.backup_coordinator_id)
        # Speed to lead from the first call at or after the arrival.
        self.assertEqual(self.lead_2.first_contact_date, datetime(2026, 3, 2, 10, 30))
        self.assertAlmostEqual(self.lead_2.response_hours, 1.5)
        # A legitimate coordinator keeps their queue.
        self.assertEqual(self.lead_2.coordinator_id, self.other_coordinator)
