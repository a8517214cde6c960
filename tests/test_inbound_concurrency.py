"""Senders retry, at once and later: 400 events posted from 16 threads to a real
Odoo HTTP server (on a copy of the test database), a quarter of them duplicates
and some badly signed. Every valid event is recorded exactly once, every bad one
refused without a trace in the database, nothing half-written."""

import json
import random
import threading
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest
from conftest import connect, run_odoo_shell, serve

from odoo.addons.sales_coordination.tools.signing import signed_headers

THREADS = 16
UNIQUE = 260
DUPLICATES = 100
BAD = 40


@pytest.fixture
def server(odoo_command, database_copy, tmp_path):
    """An integration in the copy, and Odoo serving the copy on loopback."""
    output = run_odoo_shell(
        odoo_command,
        database_copy,
        """
import json
source = env["utm.source"].create({"name": "Race radio"})
env["sales.tracking.number"].create(
    {"number": "+32 2 555 01 99", "source_id": source.id})
# Saving the integration creates its dedicated technical user.
integration = env["sales.inbound.source"].create({"name": "Race tracking"})
env.cr.commit()
print("IDS" + json.dumps({"integration": integration.id, "secret": integration.secret}))
""",
    )
    ids = json.loads(output.split("IDS", 1)[1].splitlines()[0])

    with serve(odoo_command, database_copy, tmp_path / "odoo.log") as url:
        yield {**ids, "url": url, "db": database_copy, "log": tmp_path / "odoo.log"}


def event(i):
    started = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    if i % 4 == 3:
        return {
            "type": "form",
            "event_id": f"race-{i}",
            "caller_name": f"Form {i}",
            "email": f"form{i}@example.com",
            "message": "Quote please",
            "started_at": started,
        }
    return {
        "type": "call",
        "event_id": f"race-{i}",
        "tracking_number": "+3225550199",
        "caller_number": f"+32475{i:06d}",
        "caller_name": f"Caller {i}",
        "started_at": started,
        "duration": 0 if i % 2 else 95,
        "answered": not i % 2,
    }


def post(server, payload, secret=None):
    body = json.dumps(payload).encode()
    headers = signed_headers(server["integration"], secret or server["secret"], body)
    request = urllib.request.Request(
        f"{server['url']}/sales_coordination/inbound", data=body, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")[:300]


def test_four_hundred_events_from_sixteen_threads(server):
    rng = random.Random(7)
    posts = [("valid", i) for i in range(UNIQUE)]
    posts += [("valid", rng.randrange(UNIQUE)) for _ in range(DUPLICATES)]
    posts += [("bad", UNIQUE + i) for i in range(BAD)]
    rng.shuffle(posts)
    answers = [None] * len(posts)
    errors = []
    barrier = threading.Barrier(THREADS)

    def worker(offset):
        try:
            barrier.wait(timeout=60)
            for index in range(offset, len(posts), THREADS):
                kind, i = posts[index]
                secret = "not the secret" if kind == "bad" else None
                answers[index] = post(server, event(i), secret)
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, (errors[:3], server["log"].read_text()[-3000:])

    by_event = {}
    for (kind, i), (status, answer) in zip(posts, answers, strict=True):
        if kind == "bad":
            assert status == 401 and answer == {"error": "wrong signature"}
            continue
        assert status == 200, answer
        by_event.setdefault(i, set()).add(json.dumps(answer, sort_keys=True))
    assert len(by_event) == UNIQUE
    assert all(len(seen) == 1 for seen in by_event.values()), "a repeat got other ids"

    calls = sum(1 for i in range(UNIQUE) if i % 4 != 3)
    callbacks = sum(1 for i in range(UNIQUE) if i % 4 == 3 or i % 2)
    conn = connect(server["db"])
    try:
        with conn.cursor() as cr:
            cr.execute(
                """SELECT count(*) FILTER (WHERE state = 'done'),
                          count(*) FILTER (WHERE state = 'refused'),
                          count(DISTINCT lead_id), count(call_id),
                          count(followup_id)
                     FROM sales_inbound_event WHERE source_id = %s""",
                [server["integration"]],
            )
            done, refused, leads, event_calls, event_followups = cr.fetchone()
            cr.execute(
                """SELECT count(*) FROM sales_call WHERE direction = 'in'
                      AND lead_id IN (SELECT lead_id FROM sales_inbound_event)"""
            )
            all_calls = cr.fetchone()[0]
            cr.execute(
                """SELECT count(*) FROM sales_followup
                    WHERE lead_id IN (SELECT lead_id FROM sales_inbound_event)"""
            )
            all_followups = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM crm_lead WHERE name LIKE 'Caller %%' "
                "OR name LIKE 'Form %%'"
            )
            named_leads = cr.fetchone()[0]
    finally:
        conn.close()
    # A badly signed request writes nothing, not even its refusal.
    assert (done, refused) == (UNIQUE, 0)
    assert leads == named_leads == UNIQUE, "one lead per caller, none half-written"
    assert event_calls == all_calls == calls
    assert event_followups == all_followups == callbacks


def test_one_new_caller_twice_at_once_gets_one_lead(server):
    """Two events of the same new caller at the same moment (two calls, or two
    services reporting one): one lead, one contact; both calls on it."""
    callers = 12
    errors = []

    def post_at_once(i, side, barrier):
        try:
            payload = {**event(2 * i), "event_id": f"twice-{i}-{side}"}
            payload["caller_number"] = f"+32478{i:06d}"
            barrier.wait(timeout=60)
            status, answer = post(server, payload)
            assert status == 200, answer
        except Exception as error:  # reported below
            errors.append(repr(error))

    for i in range(callers):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=post_at_once, args=(i, side, barrier))
            for side in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors[:3]
    conn = connect(server["db"])
    try:
        with conn.cursor() as cr:
            cr.execute(
                """SELECT lead.phone, count(DISTINCT lead.id),
                          count(DISTINCT lead.partner_id), count(DISTINCT call.id)
                     FROM crm_lead lead
                     JOIN sales_call call ON call.lead_id = lead.id
                    WHERE lead.phone LIKE '+32478%%'
                 GROUP BY 1"""
            )
            rows = cr.fetchall()
    finally:
        conn.close()
    assert len(rows) == callers
    assert all(row[1:] == (1, 1, 2) for row in rows), rows
