"""Twilio and CallRail post each call in several events, retry them, and do not
keep them in order: 300 events of 100 calls plus 100 exact repeats, posted from 16
threads to a real Odoo server with 2 workers (on a copy of the test database), in
two shuffled rounds (the missed event of some calls in the first, the event that
says they were answered in the second). Every call ends as one event record, one
logged call, one lead for its caller and a callback only while it stays missed,
with the result, duration and recording its events say, whatever their order.

A sender sends again on a 5xx or a lost connection, as the providers do; those
resends are counted and must stay rare (Odoo itself retries a request that failed
to serialize, which a concurrent event of the same call does)."""

import configparser
import http.client
import json
import random
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlencode

import pytest
from conftest import connect, run_odoo_shell, serve
from twilio.request_validator import RequestValidator

from odoo.addons.sales_coordination.tools.telephony import callrail_signature

THREADS = 16
WORKERS = 2
REPEATS = 100
# Per provider: answered, missed (still missed at the end), missed then answered.
ANSWERED, MISSED, LATE = 30, 10, 10
CALLS = ANSWERED + MISSED + LATE
TWILIO_TOKEN = "race0123456789abcdef0123456789ab"
CALLRAIL_KEY = "race-callrail-signing-key-0123456789"
TRACKED = "+12175550199"
# Sent again at most this many times (on a 5xx or a lost connection).
MAX_RESENDS = 8
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ([A-Z]+) ", re.M)
RESENT = (http.client.HTTPException, ConnectionError, TimeoutError)


@pytest.fixture
def server(odoo_command, database_copy, tmp_path):
    """A Twilio and a CallRail integration in the copy (and a tracking number),
    and Odoo serving the copy on loopback with 2 workers, logging the retries of
    requests that failed to serialize."""
    output = run_odoo_shell(
        odoo_command,
        database_copy,
        f"""
import json
source = env["utm.source"].create({{"name": "Telephony race"}})
env["sales.tracking.number"].create({{"number": "{TRACKED}", "source_id": source.id}})
coordinator = env["res.users"].search(
    [
        ("groups_id", "in", env.ref("sales_coordination.group_coordinator").id),
        ("company_ids", "in", env.company.id),
        ("share", "=", False),
    ],
    limit=1,
)
# Saving an integration creates its dedicated technical user.
twilio, callrail = env["sales.inbound.source"].create(
    [
        {{
            "name": "Race Twilio",
            "provider": "twilio",
            "secret": "{TWILIO_TOKEN}",
            "coordinator_id": coordinator.id,
        }},
        {{
            "name": "Race CallRail",
            "provider": "callrail",
            "secret": "{CALLRAIL_KEY}",
            "coordinator_id": coordinator.id,
        }},
    ]
)
env.cr.commit()
print("IDS" + json.dumps({{
    "twilio": twilio.id,
    "callrail": callrail.id,
    "token": callrail.endpoint_token,
    "coordinator": coordinator.id,
    "source": source.id,
}}))
""",
    )
    ids = json.loads(output.split("IDS", 1)[1].splitlines()[0])
    command, conf = odoo_command
    # Odoo logs each retry of a request that failed to serialize at INFO.
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf)
    parser["options"]["log_handler"] = ":WARNING,odoo.service.model:INFO"
    logged = tmp_path / "odoo.conf"
    with logged.open("w") as file:
        parser.write(file)
    # With workers, Odoo's own launcher only (see conftest.odoo_command).
    workers = WORKERS if command[-1] != "odoo" else 0
    log = tmp_path / "odoo.log"
    with serve((command, str(logged)), database_copy, log, workers) as url:
        yield {
            **ids,
            "url": url,
            "db": database_copy,
            "log": log,
            "workers": workers,
        }


# ----------------------------------------------------------------------
# The calls and their events
# ----------------------------------------------------------------------


def twilio_call(server, i, kind, t0):
    """A Twilio call's events, as Twilio posts them: (round, url, body,
    headers); round 1 or 2 for an event that must come in that round, 0 for
    any. Returns (call id, caller, events, expected)."""
    sid = f"CARACE{i:04d}"
    caller = f"+1608555{1000 + i:04d}"
    duration = 60 + (i * 37) % 500
    url = f"{server['url']}/sales_coordination/inbound/twilio/{server['twilio']}"
    common = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": sid,
        "From": caller,
        "To": TRACKED,
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "CallerName": f"Race caller {i}",
    }

    def status(name, moment, sequence, **values):
        return {
            **common,
            "CallStatus": name,
            "Timestamp": format_datetime(moment, usegmt=True),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(sequence),
            **values,
        }

    recording = {
        "AccountSid": common["AccountSid"],
        "CallSid": sid,
        "RecordingSid": f"RERACE{i:04d}",
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/"
        f"{common['AccountSid']}/Recordings/RERACE{i:04d}",
        "RecordingStatus": "completed",
        "RecordingDuration": str(duration - 2),
        "RecordingChannels": "1",
        "RecordingSource": "DialVerb",
    }
    # A completed call's status comes when it ends, a missed one's after the rings.
    completed = status(
        "completed", t0 + timedelta(seconds=duration), 2, CallDuration=str(duration)
    )
    no_answer = status("no-answer", t0 + timedelta(seconds=25), 2, CallDuration="0")
    if kind == "answered":
        events = [(0, status("ringing", t0, 0)), (0, completed), (0, recording)]
    elif kind == "missed":
        events = [
            (0, status("initiated", t0, 0)),
            (0, status("ringing", t0, 1)),
            (0, no_answer),
        ]
    else:
        events = [(1, no_answer), (2, completed), (0, recording)]
    answered = kind != "missed"
    expected = {
        "result": "connected" if answered else "no_answer",
        "duration": duration if answered else 0,
        "recording_url": recording["RecordingUrl"] if answered else None,
        "recording_duration": duration - 2 if answered else 0,
    }
    posts = []
    for round_, params in events:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        }
        posts.append((round_, url, urlencode(params).encode(), headers))
    return sid, caller, posts, expected


def callrail_call(server, i, kind, t0):
    """A CallRail call's webhooks (pre-call, post-call, call modified), as
    twilio_call."""
    call_id = f"CALRACE{i:04d}"
    caller = f"+1608555{2000 + i:04d}"
    duration = 60 + (i * 53) % 500
    voicemail = kind == "missed" and i % 2 == 0
    player = f"https://app.callrail.com/calls/{call_id}/recording"
    base = {
        "resource_id": call_id,
        "company_resource_id": "COMRACE",
        "tracking_phone_number": TRACKED,
        "customer_phone_number": caller,
        "customer_name": f"Race caller {i}",
        "direction": "inbound",
        "start_time": t0.astimezone(timezone(timedelta(hours=-6))).isoformat(),
        "first_call": True,
        "source": "Google Ads",
        "medium": "CPC",
        "campaign": "Race windows",
    }
    answered = {
        "answered": True,
        "voicemail": False,
        "duration": duration,
        "recording": f"https://api.callrail.com/v3/a/1/calls/{call_id}/recording.json",
        "recording_player": player,
        "recording_duration": str(duration - 3),
    }
    missed = {"answered": False, "voicemail": voicemail, "duration": 0}
    if voicemail:
        missed.update(duration=30, recording_player=player, recording_duration="28")
    note = {"note": f"Race note {i}", "tags": ["Race"]}
    pre = (0, "pre_call", base)
    if kind == "answered":
        events = [
            pre,
            (0, "post_call", {**base, **answered}),
            (0, "call_modified", {**base, **answered, **note}),
        ]
    elif kind == "missed":
        events = [
            pre,
            (0, "post_call", {**base, **missed}),
            (0, "call_modified", {**base, **missed, **note}),
        ]
    else:
        events = [
            pre,
            (1, "post_call", {**base, **missed}),
            (2, "call_modified", {**base, **answered, **note}),
        ]
    if kind == "missed":
        expected = {
            "result": "voicemail" if voicemail else "no_answer",
            "duration": 30 if voicemail else 0,
            "recording_url": player if voicemail else None,
            "recording_duration": 28 if voicemail else 0,
        }
    else:
        expected = {
            "result": "connected",
            "duration": duration,
            "recording_url": player,
            "recording_duration": duration - 3,
        }
    expected["note"] = note["note"]
    endpoint = (
        f"{server['url']}/sales_coordination/inbound/callrail/"
        f"{server['callrail']}/{server['token']}"
    )
    posts = []
    for round_, event, payload in events:
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "Signature": callrail_signature(CALLRAIL_KEY, body),
        }
        posts.append((round_, f"{endpoint}?event={event}", body, headers))
    return call_id, caller, posts, expected


def build_calls(server):
    """Every call: {call id: (integration, caller, kind, posts, expected)}."""
    t0 = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    kinds = ["answered"] * ANSWERED + ["missed"] * MISSED + ["late"] * LATE
    calls = {}
    for provider, build in (("twilio", twilio_call), ("callrail", callrail_call)):
        for i, kind in enumerate(kinds):
            start = t0 + timedelta(minutes=i)
            call_id, caller, posts, expected = build(server, i, kind, start)
            expected["call_date"] = start.replace(tzinfo=None)
            calls[call_id] = (server[provider], caller, kind, posts, expected)
    return calls


def rounds(calls, rng):
    """Two shuffled lists of (call id, url, body, headers): each event once,
    REPEATS of them twice (an event that must come second, in the second
    round). Half the repeats come right after their original, so that both
    are in flight at once, on both workers; the others anywhere."""
    first, second = [], []
    events = [
        (call_id, post)
        for call_id, (_integration, _caller, _kind, posts, _expected) in calls.items()
        for post in posts
    ]
    placed = []
    for call_id, (round_, url, body, headers) in events:
        target = {1: first, 2: second}.get(round_) or rng.choice((first, second))
        target.append((call_id, url, body, headers))
        placed.append(target)
    rng.shuffle(first)
    rng.shuffle(second)
    for n, index in enumerate(rng.sample(range(len(events)), REPEATS)):
        call_id, (round_, url, body, headers) = events[index]
        item = (call_id, url, body, headers)
        if n % 2:
            target = {1: first, 2: second}.get(round_) or rng.choice((first, second))
            target.insert(rng.randrange(len(target) + 1), item)
        else:
            target = placed[index]
            target.insert(target.index(item) + 1, item)
    return first, second


# ----------------------------------------------------------------------
# Sending
# ----------------------------------------------------------------------


def send(url, body, headers):
    """Post one event as a provider does, sending it again after a 5xx or a
    lost connection: (status, answer, resends)."""
    for resends in range(MAX_RESENDS + 1):
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read()), resends
        except urllib.error.HTTPError as error:
            raw = error.read()
            if error.code < 500:
                return error.code, raw.decode(errors="replace")[:300], resends
        except (urllib.error.URLError, *RESENT):
            pass
        time.sleep(0.1 * 2**resends)
    raise AssertionError(f"{url}: no answer after {MAX_RESENDS} resends")


def post_all(batch):
    """Post ``batch`` from THREADS threads, each taking the next event as it is
    free (so that events next to each other are sent at once); returns (call
    id, status, answer) for each and the number of resends."""
    answers = [None] * len(batch)
    resends = [0] * THREADS
    errors = []
    barrier = threading.Barrier(THREADS)
    indexes = iter(range(len(batch)))
    lock = threading.Lock()

    def worker(n):
        try:
            barrier.wait(timeout=60)
            while True:
                with lock:
                    index = next(indexes, None)
                if index is None:
                    return
                call_id, url, body, headers = batch[index]
                status, answer, resent = send(url, body, headers)
                answers[index] = (call_id, status, answer)
                resends[n] += resent
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]
    return answers, sum(resends)


def log_problems(log):
    """The warnings, errors and tracebacks of Odoo's log, but those of the
    failures to serialize that Odoo retries (its sql_db logs each such query
    as an error) or that a sender sends again."""
    starts = [match.start() for match in RECORD.finditer(log)]
    records = [log[: (starts or [len(log)])[0]]]
    records += [log[a:b] for a, b in zip(starts, [*starts[1:], len(log)], strict=False)]
    return [
        record
        for record in records
        if (RECORD.match(record) and RECORD.match(record)[1] != "INFO")
        or "Traceback" in record
        if "could not serialize access" not in record
    ]


# ----------------------------------------------------------------------
# The test
# ----------------------------------------------------------------------


def test_provider_events_from_sixteen_threads(server, record_property):
    calls = build_calls(server)
    first, second = rounds(calls, random.Random(22))
    posted = len(first) + len(second)
    assert posted == 2 * 3 * CALLS + REPEATS
    start = time.perf_counter()
    answers, resends = post_all(first)
    answers_2, resends_2 = post_all(second)
    wall = time.perf_counter() - start
    answers += answers_2
    resends += resends_2
    log = server["log"].read_text()
    retried = log.count("tries left, try again")
    summary = (
        f"{posted} posts ({2 * CALLS} calls, {REPEATS} repeats) in {wall:.1f} s "
        f"from {THREADS} threads on {server['workers']} workers: {resends} sent "
        f"again after a 5xx or a lost connection, {retried} retried by Odoo "
        "after a serialization failure"
    )
    print(summary)
    record_property("summary", summary)

    # Every event answered 200, and every answer of a call names its records.
    seen = {}
    for call_id, status, answer in answers:
        assert status == 200, (call_id, status, answer, log[-3000:])
        for name in ("lead_id", "call_id", "followup_id"):
            if answer[name]:
                seen.setdefault((call_id, name), set()).add(answer[name])
    assert all(len(ids) == 1 for ids in seen.values()), "a call got two records"
    assert resends < 0.05 * posted, summary
    problems = log_problems(log)
    assert not problems, problems[:3]

    conn = connect(server["db"])
    try:
        with conn.cursor() as cr:
            integrations = [server["twilio"], server["callrail"]]
            cr.execute(
                """SELECT source_id, event_id, state, call_id, lead_id, followup_id
                     FROM sales_inbound_event WHERE source_id = ANY(%s)""",
                [integrations],
            )
            events = cr.fetchall()
            cr.execute(
                """SELECT c.integration_id, c.provider_call_id, c.id, c.lead_id,
                          c.result, c.duration, c.recording_url,
                          c.recording_duration, c.call_date, c.direction,
                          c.caller_number, c.note, c.user_id, l.phone_sanitized
                     FROM sales_call c LEFT JOIN crm_lead l ON l.id = c.lead_id
                    WHERE c.integration_id = ANY(%s)""",
                [integrations],
            )
            logged = cr.fetchall()
            callers = [caller for _i, caller, *_rest in calls.values()]
            cr.execute(
                "SELECT count(*) FROM crm_lead WHERE phone_sanitized = ANY(%s)",
                [callers],
            )
            caller_leads = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM res_partner WHERE phone = ANY(%s)", [callers]
            )
            caller_partners = cr.fetchone()[0]
            cr.execute(
                """SELECT lead_id, array_agg(kind || ':' || state ORDER BY id)
                     FROM sales_followup WHERE lead_id IN (
                          SELECT lead_id FROM sales_call
                           WHERE integration_id = ANY(%s))
                    GROUP BY lead_id""",
                [integrations],
            )
            followups = dict(cr.fetchall())
    finally:
        conn.close()

    # One event record per call, recorded; one logged call per call.
    assert len(events) == len(calls), "one event record per provider call"
    assert {(e[0], e[1]) for e in events} == {
        (integration, call_id) for call_id, (integration, *_rest) in calls.items()
    }
    assert all(state == "done" for _s, _e, state, *_rest in events)
    assert len(logged) == len(calls), "one logged call per provider call"
    by_call = {row[1]: row for row in logged}
    assert len(by_call) == len(calls)
    assert {(row[0], row[1]) for row in logged} == {(e[0], e[1]) for e in events}
    event_of = {e[1]: e for e in events}

    # One lead per caller (each call has its own), with its partner.
    assert len({row[3] for row in logged}) == len(calls)
    assert caller_leads == caller_partners == len(calls)

    for call_id, (_integration, caller, kind, _posts, expected) in calls.items():
        (_src, _pid, call, lead, result, duration, url, rec_duration) = by_call[
            call_id
        ][:8]
        call_date, direction, number, note, user, phone = by_call[call_id][8:]
        _s, _e, _state, event_call, event_lead, event_followup = event_of[call_id]
        assert (event_call, event_lead) == (call, lead), call_id
        assert lead and phone == caller and number == caller, call_id
        assert direction == "in" and user == (server["coordinator"] or user)
        state = {
            "result": result,
            "duration": duration,
            "recording_url": url,
            "recording_duration": rec_duration,
            "call_date": call_date,
        }
        assert state == {
            name: value for name, value in expected.items() if name != "note"
        }, call_id
        if "note" in expected:
            assert expected["note"] in (note or ""), call_id
        # A callback while missed; withdrawn once answered, nobody having
        # claimed it.
        wanted = {
            "answered": None,
            "missed": ["callback:queued"],
            "late": ["callback:cancelled"],
        }[kind]
        assert followups.get(lead) == wanted, (call_id, followups.get(lead))
        assert bool(event_followup) == (kind != "answered"), call_id
