from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo.sql_db import Cursor
from odoo.tests import new_test_user

from odoo.addons.sales_team.tests.common import SalesTeamCommon

ADVISOR_GROUPS = "sales_team.group_sale_salesman"
COORDINATOR_GROUPS = "sales_coordination.group_coordinator"
MANAGER_GROUPS = "sales_coordination.group_manager"

# The moments a test of what "now", "today" or "this week" shows runs at (naive
# UTC): the hours and days where a day, a week or a month turns over in UTC or in
# the users' time zone. Before the date the suite runs, whenever that is: the
# cast's own records (made at the real time) are then never older than a moment.
MOMENTS = {
    "before work on a Monday": datetime(2025, 12, 1, 3, 10),
    "mid-morning": datetime(2025, 12, 2, 10, 30),
    "evening": datetime(2025, 12, 3, 19, 45),
    "after midnight UTC": datetime(2025, 12, 4, 0, 20),
    "after midnight in Chicago": datetime(2025, 12, 5, 6, 30),
    "a Sunday night": datetime(2025, 12, 7, 23, 30),
    "the last day of a month": datetime(2025, 12, 31, 23, 30),
    "after midnight on the first of a month": datetime(2026, 1, 1, 0, 20),
    "the day Europe's clocks change": datetime(2025, 3, 30, 1, 30),
    "the day America's clocks change": datetime(2025, 11, 2, 7, 30),
}


@contextmanager
def read_committed_cursors():
    """Cursors opened inside begin their transactions in READ COMMITTED.

    A test's transaction is Odoo's REPEATABLE READ otherwise. Next call and the
    queue's upkeep start their own cursor's transaction in READ COMMITTED (see
    ``sales.followup._claim_cursor``), which in test mode is Odoo's TestCursor,
    a savepoint inside the test's transaction: PostgreSQL lets a savepoint
    set the level the transaction already has, and refuses any other."""
    init = Cursor.__init__

    def init_read_committed(cursor, *args, **kwargs):
        init(cursor, *args, **kwargs)
        # Before the transaction begins (psycopg2 begins it at the first query).
        cursor.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)

    with patch.object(Cursor, "__init__", init_read_committed):
        yield


class SalesCoordinationCommon(SalesTeamCommon):
    """The cast every test uses: a manager, an advisor's coordinator and backup
    coordinator, a coordinator of other advisors, two advisors, a plain salesman,
    and the same roles in a second company."""

    @classmethod
    def setUpClass(cls):
        # The test's transaction is opened here (Odoo's TransactionCase).
        with read_committed_cursors():
            super().setUpClass()
        # Code that takes a cursor of its own (Next call, the queue's upkeep)
        # gets Odoo's TestCursor inside the test's transaction, as in Odoo's HTTP
        # tests: the same statements as in production.
        if cls.registry.test_cr is None:
            cls.registry.enter_test_mode(cls.cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.company = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "Other Company"})
        cls.calendar = cls.env.ref("resource.resource_calendar_std")
        cls.calendar.tz = "UTC"

        cls.manager = cls._new_user("sc_manager", MANAGER_GROUPS, "Mona Manager")
        cls.coordinator = cls._new_user("sc_coordinator", COORDINATOR_GROUPS, "Cody")
        cls.backup_coordinator = cls._new_user(
            "sc_backup", COORDINATOR_GROUPS, "Bea Backup"
        )
        cls.other_coordinator = cls._new_user("sc_other", COORDINATOR_GROUPS, "Otto")
        cls.advisor = cls._new_user(
            "sc_advisor",
            ADVISOR_GROUPS,
            "Ada Advisor",
            is_field_advisor=True,
            coordinator_id=cls.coordinator.id,
            backup_coordinator_id=cls.backup_coordinator.id,
            resource_calendar_id=cls.calendar.id,
        )
        cls.advisor_2 = cls._new_user(
            "sc_advisor_2",
            ADVISOR_GROUPS,
            "Abe Advisor",
            is_field_advisor=True,
            coordinator_id=cls.other_coordinator.id,
            resource_calendar_id=cls.calendar.id,
        )
        cls.salesman = cls._new_user("sc_salesman", ADVISOR_GROUPS, "Sal Salesman")

        company_2 = {"company_id": cls.company_2.id, "company_ids": cls.company_2.ids}
        cls.manager_c2 = cls._new_user("sc_manager_c2", MANAGER_GROUPS, **company_2)
        cls.coordinator_c2 = cls._new_user(
            "sc_coordinator_c2", COORDINATOR_GROUPS, **company_2
        )
        cls.advisor_c2 = cls._new_user(
            "sc_advisor_c2",
            ADVISOR_GROUPS,
            is_field_advisor=True,
            coordinator_id=cls.coordinator_c2.id,
            resource_calendar_id=cls.calendar.id,
            **company_2,
        )

        cls.customer = cls.env["res.partner"].create(
            {"name": "Carla Customer", "phone": "+1 555 0100", "city": "Springfield"}
        )
        cls.source = cls.env["utm.source"].create({"name": "Radio ad"})
        Lead = cls.env["crm.lead"].with_context(default_source_id=cls.source.id)
        cls.lead = Lead.create(
            {
                "name": "Heat pump for Carla",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": cls.advisor.id,
            }
        )
        cls.lead_2 = Lead.create(
            {
                "name": "Boiler for Abe's customer",
                "type": "opportunity",
                "user_id": cls.advisor_2.id,
            }
        )
        cls.lead_unassigned = Lead.create(
            {
                "name": "New caller",
                "type": "opportunity",
                "user_id": False,
                "company_id": cls.company.id,
            }
        )
        cls.lead_c2 = Lead.create(
            {
                "name": "Lead of the other company",
                "type": "opportunity",
                "user_id": cls.advisor_c2.id,
                "company_id": cls.company_2.id,
            }
        )
        # A Monday well ahead, inside the standard working hours.
        cls.start = datetime(2031, 3, 3, 9, 0)

    @classmethod
    def _new_user(cls, login, groups, name=None, **values):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            name=name or login,
            tz="UTC",
            **values,
        )

    @classmethod
    def _appointment_values(cls, advisor=None, lead=None, start=None, hours=1.5):
        start = start or cls.start
        lead = lead or cls.lead
        return {
            "name": f"Visit: {lead.name}",
            "is_sales_appointment": True,
            "advisor_id": (advisor or cls.advisor).id,
            "opportunity_id": lead.id,
            "start": start,
            "stop": start + timedelta(hours=hours),
        }

    @classmethod
    def _book(cls, user=None, **kwargs):
        """Book a sales appointment as ``user`` (default: the superuser)."""
        env = cls.env(user=user) if user else cls.env
        return env["calendar.event"].create(cls._appointment_values(**kwargs))

    def _at_each_moment(self, check, moments=None):
        """Run ``check(now)`` at each of ``moments`` (default: MOMENTS), each in a
        sub-test from the same data and rolled back after: Python's clock frozen,
        and the transaction's own (create dates), which freeze_time leaves to
        PostgreSQL."""
        for name, now in (moments or MOMENTS).items():
            savepoint = self.env.cr.savepoint()
            try:
                with (
                    self.subTest(moment=name, now=now),
                    freeze_time(now),
                    patch.object(self.env.cr, "now", return_value=now),
                ):
                    check(now)
                    self.env.flush_all()
            finally:
                # what the check left unwritten goes with what it wrote
                savepoint.close(rollback=True)
                self.env.transaction.clear()

    @contextmanager
    def assertRefused(self, exception, fragment):
        """Like assertRaisesRegex, but inside Odoo's savepoint (assertRaises), so
        that the refused change is rolled back as the user's request would be."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertIn(fragment, str(catcher.exception))
