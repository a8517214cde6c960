"""The dialer under concurrency, on committed cursors as in production.

A request that placed a call and then failed to serialize is run again by Odoo
from the start: the customer must not be dialled twice (one request to
Twilio's Calls API, one attempt recorded). Then a floor: coordinators dialling
on a real Odoo server with 4 workers through the due calls while Twilio's
status callbacks (built and signed as Twilio sends them) arrive out of order
and repeated: every call claimed once, every attempt logged once, no callback
logs on a call another coordinator holds.

The floor dials ``SC_DIALER_RACE_CALLS`` calls: 120 by default (`make test`:
about a minute on two cores, its database copy and server start included);
the issue's 400 with ``SC_DIALER_RACE_CALLS=400`` (about three minutes on two
busy cores), run before a release of the dialer."""

import configparser
import json
import os
import random
import re
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from http.cookiejar import CookieJar
from unittest.mock import patch
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
                    "sales_dialer_on": True,
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


def test_a_dial_run_again_after_a_serialization_failure_dials_once(dial_setup, standin):
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
        followup = env["sales.followup"].browse(dial_setup["followup"])
        # The request's snapshot begins (a request reads its session's user
        # first); the dial itself runs on cursors of its own.
        followup.state  # noqa: B018
        call = followup.action_dial()
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


def test_two_dials_of_one_call_at_once_dial_once(dial_setup, standin):
    """Two tabs, a double click: two dial requests of the same call at the
    same instant, each on its own cursor, place one call with Twilio."""
    registry = Registry(dbname())
    uid = dial_setup["coordinator"]
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        assert env["sales.followup"].claim_next().id == dial_setup["followup"]
    presses = 4
    barrier = threading.Barrier(presses)
    got, errors = [], []

    def press():
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                followup = env["sales.followup"].browse(dial_setup["followup"])
                followup.state  # noqa: B018 (the request's snapshot begins)
                barrier.wait(timeout=60)
                got.append(retrying(lambda: followup.action_dial().id, env))
        except Exception:
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=press) for _ in range(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert len(got) == presses and len(set(got)) == 1, got
    assert len(standin.created()) == 1, "the customer was dialled more than once"


def test_a_callback_while_the_sid_is_recorded_is_kept(dial_setup, standin):
    """Twilio's first callback of the coordinator's leg (ringing) may come
    while the dial records the call's SID and moves it on to "agent queued":
    whichever commits first, the call ends up with the callback's later
    status, never the earlier one written over it."""
    registry = Registry(dbname())
    uid = dial_setup["coordinator"]
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        assert env["sales.followup"].claim_next().id == dial_setup["followup"]
    Call = registry["sales.call"]
    notify = Call._dialer_notify
    ringers, errors = [], []

    def ringing(call_id, sid):
        """Twilio's callback, as the controller takes it, in a request of its
        own that Odoo runs again when it fails to serialize."""
        params = {"CallSid": sid, "CallStatus": "ringing"}
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                cr.execute(
                    SQL("SELECT dial_token FROM sales_call WHERE id = %s", call_id)
                )
                token = cr.fetchone()[0]
                cr.rollback()

                def callback():
                    source = env["sales.inbound.source"].browse(
                        dial_setup["integration"]
                    )
                    call = env["sales.call"]._dialer_find(
                        source, "agent", params, token
                    )
                    return call._dialer_callback("agent", params)

                retrying(callback, env)
        except Exception:
            errors.append(traceback.format_exc())

    def notify_while_it_rings(self, **payload):
        # The dial's own notice, the SID and "agent queued" written: the
        # callback comes now, and either ends at once or waits for the dial.
        if not payload and not ringers:
            ringer = threading.Thread(
                target=ringing, args=(self.id, self.provider_call_id)
            )
            ringers.append(ringer)
            ringer.start()
            deadline = time.monotonic() + 30
            while ringer.is_alive() and time.monotonic() < deadline:
                with registry.cursor() as cr:
                    cr.execute(
                        """SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                              AND datname = current_database()"""
                    )
                    if cr.fetchone():
                        break
                time.sleep(0.02)
        return notify(self, **payload)

    with patch.object(Call, "_dialer_notify", notify_while_it_rings):
        with registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            followup = env["sales.followup"].browse(dial_setup["followup"])
            call_id = retrying(lambda: followup.action_dial().id, env)
        for ringer in ringers:
            ringer.join(timeout=60)
    assert ringers and not errors, errors and errors[0]
    assert len(standin.created()) == 1, "the customer was dialled more than once"
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                "SELECT provider_call_id, dial_status FROM sales_call WHERE id = %s",
                call_id,
            )
        )
        sid, status = cr.fetchone()
    assert sid and sid.startswith("CA")
    assert status == "agent ringing", status


def next_call(env, attempts):
    """Next call's request on ``env``: claim and dial, the call screen."""
    attempts.append(1)
    return env["sales.followup"].action_next_call()


def test_next_call_run_again_after_a_serialization_failure_dials_once(
    dial_setup, standin
):
    """Next call with the dialer on claims and dials in one request; when
    that request fails to serialize after Twilio placed the call, Odoo runs it
    again, which gets the same call, placed already: one call with Twilio."""
    registry = Registry(dbname())
    uid = dial_setup["coordinator"]
    attempts = []

    def press(env):
        screen = next_call(env, attempts)
        if len(attempts) == 1:
            # As test_a_dial_run_again_after_a_serialization_failure_dials_once.
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
        return screen

    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        # The request's snapshot begins before the claim, as in a request.
        env["sales.followup"].browse(dial_setup["followup"]).state  # noqa: B018
        screen = retrying(lambda: press(env), env)

    assert len(attempts) == 2, "Odoo ran the request again"
    assert screen["res_model"] == "sales.call.outcome"
    assert screen["context"] == {"default_followup_id": dial_setup["followup"]}
    assert len(standin.created()) == 1, "the customer was dialled more than once"
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                """SELECT f.state, f.claimed_by_id, c.dial_status
                     FROM sales_followup f JOIN sales_call c ON c.followup_id = f.id
                    WHERE f.id = %s""",
                dial_setup["followup"],
            )
        )
        assert cr.fetchall() == [("claimed", uid, "agent queued")]


def test_two_next_calls_at_once_dial_once(dial_setup, standin):
    """A double click of Next call, two tabs: presses at the same instant,
    each on its own cursor whose snapshot predates the claim, get the same
    call, dialled once, and none of them fails to serialize (Next call
    writes nothing on the request's own cursor)."""
    registry = Registry(dbname())
    uid = dial_setup["coordinator"]
    presses = 4
    barrier = threading.Barrier(presses)
    got, errors, attempts = [], [], []

    def press():
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                env["sales.followup"].browse(dial_setup["followup"]).state  # noqa: B018
                barrier.wait(timeout=60)
                screen = retrying(lambda: next_call(env, attempts), env)
                got.append(screen["context"]["default_followup_id"])
        except Exception:
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=press) for _ in range(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert got == [dial_setup["followup"]] * presses, got
    assert len(attempts) == presses, "a press failed to serialize"
    assert len(standin.created()) == 1, "the customer was dialled more than once"


# ----------------------------------------------------------------------
# A floor of coordinators on 4 workers
# ----------------------------------------------------------------------

COORDINATORS = 8
WORKERS = 4
CALLS = int(os.environ.get("SC_DIALER_RACE_CALLS", "120"))
# Twilio signs the public address the dialer gave it (web.base.url); the
# callbacks reach Odoo at its loopback address, as behind a proxy.
PUBLIC = "https://dialer-race.example.com"
PASSWORD = "dial-race-" + "7" * 12
# One call in this many of those the line does not answer in person: the
# coordinator's lease ends before Twilio's callbacks come, and another
# coordinator takes the call.
STOLEN_EVERY = 12
# Sent again at most this many times (on a 5xx or a lost connection).
MAX_RESENDS = 8
LATENCY = {}
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ([A-Z]+) ", re.M)


class FloorLine:
    """The telephone network behind the stand-in: for each call created, the
    callbacks Twilio would post (``SimulatedLine.callbacks``), kept for the
    coordinator's thread to post as the test orders them."""

    def __init__(self, answers):
        self.answers = answers
        self.simulated = SimulatedLine(TOKEN, None)
        self.calls = {}
        # The customers dialled for each coordinator's phone, in order.
        self.dialled = {}
        self.lock = threading.Lock()

    def play(self, sid, form, account_sid=""):
        number = re.search(r"<Number[^>]*>([^<]+)</Number>", form["Twiml"])[1]
        events = list(
            self.simulated.callbacks(
                sid, {**form, "AccountSid": account_sid}, self.answers[number]
            )
        )
        with self.lock:
            self.calls.setdefault(number, []).append((sid, events))
            self.dialled.setdefault(form["To"], []).append(number)


class Rpc:
    """A coordinator's browser: a session cookie and JSON-RPC calls."""

    def __init__(self, url, db, login):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar())
        )
        self._post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": PASSWORD},
        )

    def _post(self, path, params):
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        ).encode()
        request = urllib.request.Request(
            self.url + path,
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=120) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            raise AssertionError(f"{path}: {answer['error']}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return self._post_(model, method, args, kwargs)
        finally:
            LATENCY.setdefault(method, []).append(time.perf_counter() - t0)

    def _post_(self, model, method, args, kwargs):
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


def post_callback(server_url, url, params):
    """Post one callback as Twilio does, signed for its public ``url``, to
    Odoo's loopback address; sent again after a 5xx or a lost connection.
    Returns (status, resends)."""
    params = {**params, "Timestamp": time.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    parts = urlsplit(url)
    target = f"{server_url}{parts.path}?{parts.query}"
    body = urlencode(params).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    for resends in range(MAX_RESENDS + 1):
        request = urllib.request.Request(target, data=body, headers=headers)
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                LATENCY.setdefault("callback", []).append(time.perf_counter() - t0)
                return response.status, resends
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return error.code, resends
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1 * 2**resends)
    raise AssertionError(f"{url}: no answer after {MAX_RESENDS} resends")


def log_problems(log):
    """The warnings, errors and tracebacks of Odoo's log, but the failures to
    serialize that Odoo retries (its sql_db logs each such query)."""
    starts = [match.start() for match in RECORD.finditer(log)]
    records = [log[a:b] for a, b in zip(starts, [*starts[1:], len(log)], strict=False)]
    return [
        record
        for record in records
        if (RECORD.match(record)[1] != "INFO" or "Traceback" in record)
        and "could not serialize access" not in record
    ]


@pytest.fixture
def floor(odoo_command, database_copy, tmp_path):
    """On a copy of the test database: a company sharing its queue, with 8
    coordinators and a ninth who takes over calls, ``CALLS`` due calls to
    customers with phone numbers, and its Twilio integration pointed at the
    stand-in; Odoo serving the copy with 4 workers, logging its retries."""
    rng = random.Random(35)
    numbers = [
        f"+1{(312, 217, 608, 414)[i % 4]}555{1000 + i:04d}" for i in range(CALLS)
    ]
    answers = {}
    for number in numbers:
        draw = rng.random()
        answers[number] = (
            "human"
            if draw < 0.12
            else "machine"
            if draw < 0.42
            else "busy"
            if draw < 0.47
            else "no-answer"
        )
    line = FloorLine(answers)
    twilio = TwilioStandIn(ACCOUNT, TOKEN, line=line).start()
    output = run_odoo_shell(
        odoo_command,
        database_copy,
        f"""
import json
from datetime import datetime, timedelta
# This floor's calls alone are due.
env.cr.execute(
    "UPDATE sales_followup SET state = 'cancelled' WHERE state IN ('queued', 'claimed')"
)
dialers = env["sales.inbound.source"].search([("dialer_enabled", "=", True)])
dialers.write({{"dialer_enabled": False}})
ICP = env["ir.config_parameter"]
ICP.set_param("web.base.url", "{PUBLIC}")
ICP.set_param("web.base.url.freeze", "True")
company = env["res.company"].create({{
    "name": "Dialer floor",
    "sales_shared_queue": True,
    "sales_dialer_hour_start": 0,
    "sales_dialer_hour_end": 24,
    "sales_dialer_voicemail_url": "https://dialer-race.example.com/message.mp3",
}})
group = env.ref("sales_coordination.group_coordinator")
users = env["res.users"].with_context(no_reset_password=True).create([
    {{
        "name": f"Floor coordinator {{i}}",
        "login": f"floor_{{i}}",
        "password": "{PASSWORD}",
        "tz": "UTC",
        "company_id": company.id,
        "company_ids": [(6, 0, company.ids)],
        "groups_id": [(6, 0, group.ids)],
        "sales_dialer_phone": f"+1312555{{2000 + i:04d}}",
        "sales_dialer_on": True,
        # Half the floor with a pause of 0 s: a call's final callback
        # places their next call itself.
        "sales_dialer_pause": 0 if i % 2 else 5,
        "sales_dialer_voicemail_drop": i % 2 == 0,
    }}
    for i in range({COORDINATORS + 1})
])
env["sales.inbound.source"].create({{
    "name": "Floor Twilio",
    "provider": "twilio",
    "secret": "{TOKEN}",
    "account_sid": "{ACCOUNT}",
    "api_url": "{twilio.url}",
    "dialer_enabled": True,
    "dialer_caller_id": "{CALLER_ID}",
    "company_id": company.id,
}})
numbers = {json.dumps(numbers)}
leads = env["crm.lead"].create([
    {{"name": f"Floor customer {{i}}", "type": "opportunity", "phone": number,
      "company_id": company.id}}
    for i, number in enumerate(numbers)
])
now = datetime.now()
followups = env["sales.followup"].create([
    {{"lead_id": lead.id, "kind": "callback",
      "window_start": now - timedelta(hours=1), "window_end": now + timedelta(hours=3)}}
    for lead in leads
])
env.cr.commit()
print("IDS" + json.dumps({{
    "company": company.id,
    "logins": users.mapped("login"),
    "uids": users.ids,
    "followups": {{str(f.id): number for f, number in zip(followups, numbers)}},
}}))
""",
    )
    ids = json.loads(output.split("IDS", 1)[1].splitlines()[0])
    command, conf = odoo_command
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf)
    parser["options"]["log_handler"] = ":WARNING,odoo.service.model:INFO"
    logged = tmp_path / "odoo.conf"
    with logged.open("w") as file:
        parser.write(file)
    # With workers, Odoo's own launcher only (see conftest.odoo_command).
    workers = WORKERS if command[-1] != "odoo" else 0
    log = tmp_path / "odoo.log"
    try:
        with serve((command, str(logged)), database_copy, log, workers) as url:
            yield {
                **ids,
                "url": url,
                "db": database_copy,
                "log": log,
                "workers": workers,
                "twilio": twilio,
                "line": line,
                "answers": answers,
            }
    finally:
        twilio.stop()


class FloorRun:
    """The coordinators' threads and the callbacks they let the line post."""

    def __init__(self, floor):
        self.floor = floor
        self.url, self.answers = floor["url"], floor["answers"]
        self.number_of = {int(fid): n for fid, n in floor["followups"].items()}
        self.followup_of = {n: fid for fid, n in self.number_of.items()}
        self.rng = random.Random(22)
        self.late, self.errors, self.statuses, self.resent = [], [], [], []
        self.claimed = [[] for _ in range(COORDINATORS)]
        self.moved_on = [0] * COORDINATORS
        self.stolen = set()
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(COORDINATORS)
        unanswered = [n for n in sorted(self.answers) if self.answers[n] != "human"]
        self.to_steal = set(unanswered[::STOLEN_EVERY])
        self.thief = Rpc(self.url, floor["db"], floor["logins"][COORDINATORS])
        self.thief_uid = floor["uids"][COORDINATORS]
        self.thief_lock = threading.Lock()

    def post(self, url, params):
        status, resends = post_callback(self.url, url, params)
        with self.lock:
            self.statuses.append(status)
            self.resent.append(resends)

    def play(self, events, seed):
        """Post a call's callbacks as Twilio may: in any order, some twice
        (for a quarter of the calls, one at the same instant as its
        original), one again once the call is over."""
        order = random.Random(seed).sample(events, len(events))
        posts = [(event, False) for event in order]
        for event in random.Random(seed + 1).sample(order, 2):
            at = self.rng.randrange(posts.index((event, False)), len(posts) + 1)
            posts.insert(at, (event, False))
        if seed % 4 == 0:
            index = self.rng.randrange(len(posts))
            posts[index] = (posts[index][0], True)
        for (url, params), twin in posts:
            other = twin and threading.Thread(target=self.post, args=(url, params))
            if other:
                other.start()
            self.post(url, params)
            if other:
                other.join()
        with self.lock:
            self.late.append(self.rng.choice(events))

    def steal(self, followup_id):
        """The coordinator's lease ends before the line says anything, and
        another coordinator takes the call: written at once, as the claim
        statement of Next call writes it, so that no other press comes
        between (the claim itself: test_followup_claim_concurrency)."""
        conn = connect(self.floor["db"])
        conn.autocommit = True
        try:
            with conn.cursor() as cr:
                cr.execute(
                    """UPDATE sales_followup
                          SET claimed_by_id = %s, write_uid = %s,
                              claim_expires_at = now() at time zone 'UTC'
                                                 + interval '30 minutes'
                        WHERE id = %s AND state = 'claimed'""",
                    [self.thief_uid, self.thief_uid, followup_id],
                )
                assert cr.rowcount == 1, followup_id
        finally:
            conn.close()
        with self.lock:
            self.stolen.add(followup_id)

    def coordinator(self, index, login):
        try:
            rpc = Rpc(self.url, self.floor["db"], login)
            dialled = self.floor["line"].dialled.setdefault(
                f"+1312555{2000 + index:04d}", []
            )
            self.barrier.wait(timeout=120)
            followup_id = None
            while True:
                if followup_id is None:
                    # Next call claims and dials, as the web client presses it.
                    screen = rpc.call("sales.followup", "action_next_call")
                    if screen.get("type") != "ir.actions.act_window":
                        break  # nothing due
                    followup_id = screen["context"]["default_followup_id"]
                self.claimed[index].append(followup_id)
                placed = len(dialled)
                self.on_the_line(rpc, followup_id)
                # With a pause of 0 s (odd coordinators), the callback that
                # logged the call placed the next one itself.
                followup_id = (
                    self.followup_of[dialled[-1]] if len(dialled) > placed else None
                )
                if followup_id:
                    assert index % 2, "a pause of 5 s leaves it to the screen"
                    self.moved_on[index] += 1
        except Exception:
            self.errors.append(traceback.format_exc())

    def on_the_line(self, rpc, followup_id):
        """The call Next call placed: what the line and the people do."""
        number = self.number_of[followup_id]
        [(_sid, events)] = self.floor["line"].calls[number]
        if number in self.to_steal:
            self.steal(followup_id)
        self.play(events, followup_id)
        log = ("sales.followup", "action_log_call", [followup_id], "connected", "done")
        if self.answers[number] == "human":
            rpc.call(*log, duration=75)
        if number in self.to_steal:
            with self.thief_lock:
                self.thief.call(*log)

    def run(self):
        threads = [
            threading.Thread(target=self.coordinator, args=(i, login))
            for i, login in enumerate(self.floor["logins"][:COORDINATORS])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert not any(thread.is_alive() for thread in threads), "a coordinator hung"
        assert not self.errors, self.errors[0]
        # The late repeats, from 8 senders at once.
        self.rng.shuffle(self.late)
        senders = [
            threading.Thread(
                target=lambda chunk=self.late[i::COORDINATORS]: [
                    self.post(*event) for event in chunk
                ]
            )
            for i in range(COORDINATORS)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=300)


def read_floor(floor):
    """The floor's calls and follow-ups, as the database holds them."""
    conn = connect(floor["db"])
    try:
        with conn.cursor() as cr:
            cr.execute(
                """SELECT c.followup_id, c.user_id, c.result,
                          c.dial_token IS NOT NULL, c.provider_call_id,
                          c.answered_by, c.dial_voicemail_dropped
                     FROM sales_call c JOIN sales_followup f ON f.id = c.followup_id
                    WHERE f.company_id = %s""",
                [floor["company"]],
            )
            calls = cr.fetchall()
            cr.execute(
                """SELECT id, state, COALESCE(attempt_count, 0), claimed_by_id
                     FROM sales_followup WHERE company_id = %s""",
                [floor["company"]],
            )
            followups = {row[0]: row[1:] for row in cr.fetchall()}
    finally:
        conn.close()
    return calls, followups


EXPECTED_RESULT = {
    "human": "connected",
    "machine": "voicemail",
    "busy": "no_answer",
    "no-answer": "no_answer",
}


def check_calls(floor, run, calls):
    uids = floor["uids"]
    answers, number_of = floor["answers"], run.number_of
    dialled = [row for row in calls if row[3]]
    by_hand = [row for row in calls if not row[3]]
    # One dialled call per follow-up, with the SID Twilio gave it.
    assert len(dialled) == CALLS
    assert {row[0] for row in dialled} == set(number_of)
    assert {row[4] for row in dialled} == {
        sid for placed in floor["line"].calls.values() for sid, _events in placed
    }
    drops = set(uids[:COORDINATORS:2])
    for followup_id, user, result, _token, _sid, answered_by, dropped in dialled:
        answer = answers[number_of[followup_id]]
        assert result == EXPECTED_RESULT[answer], (followup_id, answer, result)
        assert user in uids[:COORDINATORS]
        assert answered_by == {"human": "human", "machine": "machine"}.get(answer)
        assert bool(dropped) == (answer == "machine" and user in drops), followup_id
    # The calls taken over were logged by the coordinator who took them, and
    # no callback of the first coordinator's dial logged on them meanwhile.
    assert run.stolen == {f for f, n in number_of.items() if n in run.to_steal}
    assert len(by_hand) == len(run.stolen)
    for followup_id, user, result, *_rest in by_hand:
        assert followup_id in run.stolen and user == uids[COORDINATORS]
        assert result == "connected"


def check_followups(floor, run, followups):
    # Every attempt logged once: an unanswered call is one attempt, and its
    # follow-up waits for the next day; a call answered, none.
    for followup_id, (state, attempts, holder) in followups.items():
        answer = floor["answers"][run.number_of[followup_id]]
        if followup_id in run.stolen or answer == "human":
            expected = ("done", 0)
        else:
            expected = ("queued", 1, None)
        assert (state, attempts, holder)[: len(expected)] == expected, (
            followup_id,
            answer,
            state,
            attempts,
        )


def test_eight_coordinators_dial_through_the_due_calls(floor):
    run = FloorRun(floor)
    start = time.perf_counter()
    run.run()
    wall = time.perf_counter() - start
    log = floor["log"].read_text()
    latency = ", ".join(
        f"{kind} {1000 * sum(times) / len(times):.0f} ms"
        for kind, times in sorted(LATENCY.items())
    )
    summary = (
        f"{CALLS} calls by {COORDINATORS} coordinators on {floor['workers']} "
        f"workers in {wall:.1f} s: {len(run.statuses)} callbacks posted, "
        f"{sum(run.resent)} sent again after a 5xx or a lost connection, "
        f"{sum(run.moved_on)} calls placed by the callback before them, "
        f"{log.count('tries left, try again')} requests retried by Odoo after a "
        f"serialization failure (mean latency: {latency})"
    )
    print("\n" + summary)

    # Every call claimed once; every callback taken.
    handed_out = sorted(fid for ids in run.claimed for fid in ids)
    assert handed_out == sorted(run.number_of), "every call claimed, once"
    assert all(run.claimed), "the work was shared"
    assert sum(run.moved_on) > len(handed_out) // 4, "pauses of 0 s moved on"
    assert set(run.statuses) == {200}, summary
    assert sum(run.resent) < 0.02 * len(run.statuses), summary
    problems = log_problems(log)
    assert not problems, problems[:3]
    # One request to Twilio per call.
    created = floor["twilio"].created()
    assert len(created) == CALLS, f"{len(created)} calls placed for {CALLS}"
    assert all(len(placed) == 1 for placed in floor["line"].calls.values())
    calls, followups = read_floor(floor)
    check_calls(floor, run, calls)
    check_followups(floor, run, followups)
