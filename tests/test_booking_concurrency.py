"""Two coordinators booking the same advisor at the same moment, each in a
transaction of its own on its own cursor, as two Odoo workers would: one wins, the
other gets a clear refusal, never a double booking."""

import threading
import traceback
import uuid
from datetime import datetime, timedelta

import pytest

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tools import config

# Mondays far ahead, inside the standard working hours (UTC).
WEEKS = [datetime(2032, 3, 1, 9) + timedelta(weeks=i) for i in range(3)]


def dbname():
    name = config["db_name"]
    return name[0] if isinstance(name, list) else name


@pytest.fixture
def cast():
    """A coordinator, an advisor and two customers' leads, committed; removed after."""
    registry = Registry(dbname())
    tag = uuid.uuid4().hex[:8]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        calendar = env.ref("resource.resource_calendar_std")
        calendar.tz = "UTC"
        Users = env["res.users"].with_context(no_reset_password=True)
        coordinator = Users.create(
            {
                "name": f"Race coordinator {tag}",
                "login": f"race_c_{tag}",
                "email": f"race_c_{tag}@example.com",
                "tz": "UTC",
                "groups_id": [
                    (6, 0, env.ref("sales_coordination.group_coordinator").ids)
                ],
            }
        )
        backup = Users.create(
            {
                "name": f"Race backup {tag}",
                "login": f"race_b_{tag}",
                "email": f"race_b_{tag}@example.com",
                "tz": "UTC",
                "groups_id": [
                    (6, 0, env.ref("sales_coordination.group_coordinator").ids)
                ],
            }
        )
        advisor = Users.create(
            {
                "name": f"Race advisor {tag}",
                "login": f"race_a_{tag}",
                "email": f"race_a_{tag}@example.com",
                "tz": "UTC",
                "groups_id": [(6, 0, env.ref("sales_team.group_sale_salesman").ids)],
                "is_field_advisor": True,
                "coordinator_id": coordinator.id,
                "backup_coordinator_id": backup.id,
                "resource_calendar_id": calendar.id,
            }
        )
        source = env["utm.source"].create({"name": f"Race {tag}"})
        leads = env["crm.lead"].create(
            [
                {
                    "name": f"Race lead {tag} {i}",
                    "type": "opportunity",
                    "source_id": source.id,
                    "user_id": advisor.id,
                }
                for i in range(2)
            ]
        )
        ids = {
            "coordinator": coordinator.id,
            "backup": backup.id,
            "advisor": advisor.id,
            "leads": leads.ids,
        }
    yield ids
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["calendar.event"].with_context(active_test=False).search(
            [("advisor_id", "=", ids["advisor"])]
        ).unlink()
        env["crm.lead"].browse(ids["leads"]).unlink()
        env["sales.booking.lock"].search([("advisor_id", "=", ids["advisor"])]).unlink()
        env["res.users"].browse(
            [ids["advisor"], ids["coordinator"], ids["backup"]]
        ).write({"active": False})


@pytest.fixture
def company_b(cast):
    """A second company the advisor and the backup coordinator also work for, and
    a lead of its own for the advisor, committed; removed after."""
    registry = Registry(dbname())
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        advisor = env["res.users"].browse(cast["advisor"])
        lead_a = env["crm.lead"].browse(cast["leads"][0])
        company = env["res.company"].create({"name": f"Race B {advisor.login}"})
        (advisor | env["res.users"].browse(cast["backup"])).write(
            {"company_ids": [(4, company.id)]}
        )
        lead = env["crm.lead"].create(
            {
                "name": f"Race lead of B {advisor.login}",
                "type": "opportunity",
                "source_id": lead_a.source_id.id,
                "user_id": advisor.id,
                "company_id": company.id,
            }
        )
        ids = {"a": lead_a.company_id.id, "b": company.id, "lead": lead.id}
    yield ids
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["calendar.event"].with_context(active_test=False).search(
            [("opportunity_id", "=", ids["lead"])]
        ).unlink()
        env["crm.lead"].browse(ids["lead"]).unlink()
        env["res.users"].browse([cast["advisor"], cast["backup"]]).write(
            {"company_ids": [(3, ids["b"])]}
        )
        env["res.company"].browse(ids["b"]).active = False


def race(ids, bookings):
    """Run each (user id, lead id, start[, selected company ids]) booking in its
    own thread and cursor at the same moment, retried as Odoo retries a request on
    a serialization failure. Returns each outcome: the event id or the refusal,
    and the retries counted."""
    registry = Registry(dbname())
    barrier = threading.Barrier(len(bookings))
    outcomes = [None] * len(bookings)
    retries = []

    def book(index, uid, lead_id, start, companies=None):
        with registry.cursor() as cr:
            context = {"allowed_company_ids": companies} if companies else {}
            env = api.Environment(cr, uid, context)
            attempts = []

            def attempt():
                attempts.append(1)
                if len(attempts) == 1:
                    barrier.wait(timeout=30)
                event = env["sales.appointment.scheduler"].book(
                    lead_id, ids["advisor"], start, start + timedelta(minutes=90)
                )
                return event.id

            try:
                outcomes[index] = retrying(attempt, env)
            except Exception as error:
                # As Odoo's request handler does: nothing of a refusal is kept.
                cr.rollback()
                if not isinstance(error, ValidationError):
                    error = RuntimeError(traceback.format_exc())
                outcomes[index] = error
            retries.append(len(attempts) - 1)

    threads = [
        threading.Thread(target=book, args=(i, *booking))
        for i, booking in enumerate(bookings)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes, retries


def count_events(ids):
    with Registry(dbname()).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["calendar.event"].search_count(
            [("advisor_id", "=", ids["advisor"]), ("is_sales_appointment", "=", True)]
        )


def test_same_slot_booked_twice_at_once(cast):
    for start in WEEKS:
        outcomes, retries = race(
            cast,
            [
                (cast["coordinator"], cast["leads"][0], start),
                (cast["backup"], cast["leads"][1], start),
            ],
        )
        won = [o for o in outcomes if isinstance(o, int)]
        refused = [o for o in outcomes if isinstance(o, ValidationError)]
        assert len(won) == 1 and len(refused) == 1, outcomes
        assert "already busy" in str(refused[0])
        assert sum(retries) <= 2, retries
    assert count_events(cast) == len(WEEKS)


def test_same_slot_booked_in_two_companies_at_once(cast, company_b):
    # Each coordinator works in their own company only, where the other's
    # appointment is out of sight: the advisor's week is one lock all the same.
    for start in WEEKS:
        outcomes, retries = race(
            cast,
            [
                (cast["coordinator"], cast["leads"][0], start, [company_b["a"]]),
                (cast["backup"], company_b["lead"], start, [company_b["b"]]),
            ],
        )
        won = [o for o in outcomes if isinstance(o, int)]
        refused = [o for o in outcomes if isinstance(o, ValidationError)]
        assert len(won) == 1 and len(refused) == 1, outcomes
        assert "already busy" in str(refused[0])
        assert sum(retries) <= 2, retries
    assert count_events(cast) == len(WEEKS)


def test_last_slot_of_the_week_booked_twice_at_once(cast):
    with Registry(dbname()).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].browse(cast["advisor"]).write(
            {"daily_appointment_capacity": 1, "weekly_appointment_capacity": 1}
        )
    for start in WEEKS:
        outcomes, _retries = race(
            cast,
            # Different days of the same week: only the weekly capacity stops them.
            [
                (cast["coordinator"], cast["leads"][0], start),
                (cast["backup"], cast["leads"][1], start + timedelta(days=2)),
            ],
        )
        won = [o for o in outcomes if isinstance(o, int)]
        refused = [o for o in outcomes if isinstance(o, ValidationError)]
        assert len(won) == 1 and len(refused) == 1, outcomes
        assert "that week" in str(refused[0])
    assert count_events(cast) == len(WEEKS)
