"""With hr installed (on a copy of the test database): a coordination manager
without any HR right changes the working hours and time zone of an advisor who
is also an employee; the employee's hours, their resources and the slot search
follow, and a coordinator is still refused.

With hr, ``res.users.resource_calendar_id`` stays related to the user's
resources (hr adds its own read-only ``employee_resource_calendar_id``); the
employee's resource is one of them, next to the one the addon gave the advisor."""

import json

from conftest import run_odoo_shell

MARK = "HOURS_FACTS "

INSTALL_HR = """
env["ir.module.module"].search([("name", "=", "hr")]).button_immediate_install()
"""

CHECK = """
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo import Command
from odoo.exceptions import AccessError

UTC = ZoneInfo("UTC")
Users = env["res.users"].with_context(no_reset_password=True)


def new_user(login, group, **values):
    return Users.create(
        {
            "name": login,
            "login": login,
            "tz": "UTC",
            "groups_id": [Command.set([env.ref(group).id])],
            **values,
        }
    )


manager = new_user("sc_hr_manager", "sales_coordination.group_manager")
coordinator = new_user("sc_hr_coordinator", "sales_coordination.group_coordinator")
advisor = new_user(
    "sc_hr_advisor",
    "sales_team.group_sale_salesman",
    is_field_advisor=True,
    coordinator_id=coordinator.id,
)
employee = env["hr.employee"].create({"name": "Ada Employee", "user_id": advisor.id})
early = env["resource.calendar"].create(
    {
        "name": "Early mornings",
        "tz": "UTC",
        "attendance_ids": [
            Command.create(
                {
                    "name": f"Early morning {day}",
                    "dayofweek": str(day),
                    "hour_from": 7,
                    "hour_to": 11,
                    "day_period": "morning",
                }
            )
            for day in range(5)
        ],
    }
)
lead = env["crm.lead"].create(
    {
        "name": "Heat pump",
        "type": "opportunity",
        "user_id": advisor.id,
        "source_id": env["utm.source"].create({"name": "HR hours test"}).id,
    }
)
facts = {
    "manager_is_hr_user": manager.has_group("hr.group_hr_user"),
    "resources": len(advisor.resource_ids),
}

try:
    advisor.with_user(coordinator).write({"resource_calendar_id": early.id})
except AccessError as error:
    facts["coordinator_refused"] = str(error)

advisor.with_user(manager).write({"tz": "America/Chicago"})
advisor.with_user(manager).web_save(
    {"resource_calendar_id": early.id}, {"resource_calendar_id": {}, "tz": {}}
)
env.invalidate_all()
facts.update(
    user_hours=advisor.resource_calendar_id.name,
    user_tz=advisor.tz,
    resources_hours=sorted(set(advisor.resource_ids.mapped("calendar_id.name"))),
    resources_tz=sorted(set(advisor.resource_ids.mapped("tz"))),
    employee_hours=employee.resource_calendar_id.name,
    employee_tz=employee.tz,
)

chicago = ZoneInfo("America/Chicago")


def first_slot(hour):
    # The first slot offered on Monday 3 March 2031 from ``hour`` o'clock, Chicago.
    local = datetime(2031, 3, 3, tzinfo=chicago) + timedelta(hours=hour)
    proposals = (
        env["sales.appointment.scheduler"]
        .with_user(coordinator)
        .propose_slots(
            lead,
            advisors=advisor,
            date_from=local.astimezone(UTC).replace(tzinfo=None),
            days=1,
            duration=1,
        )
    )
    starts = sorted(
        p["start"].replace(tzinfo=UTC).astimezone(chicago) for p in proposals
    )
    starts = [s for s in starts if s.day == 3]
    return starts[0].hour + starts[0].minute / 60 if starts else None


facts["slots"] = [first_slot(0), first_slot(10), first_slot(10.5)]
print("HOURS_FACTS " + json.dumps(facts))
"""


def test_manager_changes_working_hours_with_hr(odoo_command, database_copy):
    run_odoo_shell(odoo_command, database_copy, INSTALL_HR)
    output = run_odoo_shell(odoo_command, database_copy, CHECK)
    [line] = [line for line in output.splitlines() if line.startswith(MARK)]
    facts = json.loads(line.removeprefix(MARK))
    assert facts.pop("manager_is_hr_user") is False
    assert facts.pop("resources") == 2, "the addon's resource and the employee's"
    assert "Only a coordination manager or an administrator" in facts.pop(
        "coordinator_refused", "not refused"
    )
    # 07:00-11:00 in Chicago: a slot at 7:00 and at 10:00, none from 10:30.
    assert facts == {
        "user_hours": "Early mornings",
        "user_tz": "America/Chicago",
        "resources_hours": ["Early mornings"],
        "resources_tz": ["America/Chicago"],
        "employee_hours": "Early mornings",
        "employee_tz": "America/Chicago",
        "slots": [7, 10, None],
    }
