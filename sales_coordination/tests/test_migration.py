import importlib.util
from datetime import datetime, timedelta
from pathlib import Path

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .test_followup_claim import NOW, FollowupCommon

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


# The columns the addon adds to tables holding data, by table.
ADDED_COLUMNS = {
    "calendar_event": (
        "sales_company_id",
        "sales_customer_id",
        "customer_response",
        "appointment_type",
    ),
    "crm_lead": (
        "arrival_date",
        "sales_appointment_count",
        "sales_is_set",
        "sales_issued_date",
        "sales_is_demoed",
        "sales_reset_count",
        "sales_rehash_count",
        "sales_is_won",
    ),
    "sales_followup": (
        "priority_tier",
        "priority_base",
        "priority_rate",
        "priority_key",
        "visit_start",
        "queue_coordinator_id",
    ),
}


@tagged("post_install", "-at_install")
class TestMigration19(FollowupCommon):
    """18.0.1.9.0: on a database of an older version that misses the columns the
    models used to create and fill themselves at each update, the migration
    creates them with the values the ORM gives."""

    def _read(self, records_by_table):
        values = {}
        for table, ids in records_by_table.items():
            self.env.cr.execute(
                SQL(
                    "SELECT id, %s FROM %s WHERE id = ANY(%s) ORDER BY id",
                    SQL(", ").join(map(SQL.identifier, ADDED_COLUMNS[table])),
                    SQL.identifier(table),
                    ids,
                )
            )
            values[table] = self.env.cr.fetchall()
        return values

    def test_missing_columns_created_and_filled(self):
        with freeze_time(NOW - timedelta(days=14)):
            first = self._book(start=NOW - timedelta(days=7))
        with freeze_time(NOW):
            second = self._book(start=NOW + timedelta(days=7))
            self.env["sales.debrief"].create(
                {
                    "event_id": first.id,
                    "product_interest": "Heat pump",
                    "outcome": "repeat",
                    "probability": 40,
                    "next_event_id": second.id,
                }
            ).action_confirm()
        confirmation = second.opportunity_id.followup_ids.filtered(
            lambda f: f.kind == "confirmation"
        )
        callback = self._followup(kind="callback")
        self.assertTrue(confirmation)
        records = {
            "calendar_event": (first | second).ids,
            "crm_lead": self.lead.ids,
            "sales_followup": (confirmation | callback).ids,
        }
        self.env.flush_all()
        # Leads that predate the addon arrived when they were created.
        self.env.cr.execute(
            SQL(
                "UPDATE crm_lead SET arrival_date = create_date WHERE id = %s",
                self.lead.id,
            )
        )
        expected = self._read(records)
        self.assertEqual(expected["crm_lead"][0][2:4], (2, True))
        self.assertTrue(all(row[4] for row in expected["calendar_event"]))
        for table, columns in ADDED_COLUMNS.items():
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE %s %s",
                    SQL.identifier(table),
                    SQL(", ").join(
                        SQL("DROP COLUMN %s CASCADE", SQL.identifier(column))
                        for column in columns
                    ),
                )
            )
        load_migration("18.0.1.9.0", "pre-migrate").migrate(self.env.cr, "18.0.1.8.0")
        self.assertEqual(self._read(records), expected)
        # A database that has them: nothing changes.
        load_migration("18.0.1.9.0", "pre-migrate").migrate(self.env.cr, "18.0.1.8.0")
        self.assertEqual(self._read(records), expected)
