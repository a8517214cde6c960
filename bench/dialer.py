"""The dialer on a simulated floor: 8 coordinators dialling through their due
calls on Odoo with 4 workers, Twilio's Calls API replaced by the local stand-in
and the telephone network by this script, which posts each call's status
callbacks, built and signed as Twilio sends them, in the order Twilio sends
them. Each call is answered by a person 12% of the time, by a machine 30%, by
nobody otherwise (a tenth of those busy), with the ring and greeting times of
``TIMES`` (Twilio's documented defaults where it has one).

The requests run as fast as Odoo answers them; each coordinator's clock is
simulated: it advances by the line's times (ringing, greetings, conversations)
and what the coordinator does (talk, pick an outcome), plus the server's own
time measured here. Three figures:

1. dials per coordinator-hour, with the dialer (simulated time);
2. the server's own time from a call's final status callback (the one that
   logs what the line said: no answer, busy, or the machine's greeting ended)
   to the next call's dial request reaching Twilio (with the coordinators'
   pause of 0 s, the callback itself claims and dials the next call before it
   answers), p50 and p99, against a JSON-RPC
   ``crm.lead`` create by the same coordinators in the same run (goal: p99 at
   most 1.5x);
3. calls per coordinator-hour with the dialer, and with manual dialling and
   logging for the same calls, counted with ``TIMES`` (docs/dialer.md says how).

The floor's company, coordinators and calls are created in the benchmark
database for the run, and its calls cancelled after it.

Usage: python bench/dialer.py --config CONF --database DB [--calls N]
"""

import collections
import http.cookiejar
import json
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from email.utils import formatdate
from urllib.parse import urlencode, urlsplit

from common import environment, odoo_server, parse_args, percentile
from twilio.request_validator import RequestValidator

from odoo.tools import SQL

WORKERS = 4
COORDINATORS = 8
PASSWORD = "bench-dialer"
ACCOUNT = "AC" + "b" * 32
TOKEN = "bench0123456789abcdef0123456789a"
CALLER_ID = "+12175550100"
# How the line ends (the floor): a person, a machine, nobody.
RATES = (("human", 0.12), ("machine", 0.30), ("no-answer", 0.522), ("busy", 0.058))
# Seconds. Twilio's own defaults: <Dial> rings the customer for 30 s before
# no-answer; asynchronous AMD with DetectMessageEnd says machine_end_* once the
# greeting ends and 1.2 s of silence passed (MachineDetectionSpeechEndThreshold),
# within 30 s (MachineDetectionTimeout). The rest is the field's: a ring cycle
# of 6 s (North America), voicemail answering after 3 to 5 rings, a greeting of
# 5 to 20 s, a coordinator who answers their own phone at once (1 ring).
TIMES = {
    "agent_answer": 3.0,
    "dial_timeout": 30.0,
    "busy": 4.0,
    "person_rings": (6.0, 24.0),
    "voicemail_rings": (18.0, 30.0),
    "greeting": (5.0, 20.0),
    "speech_end": 1.2,
    "amd_timeout": 30.0,
    "conversation": (30.0, 240.0),
    # What the coordinator does: pick the outcome of a conversation (both ways).
    "after_call": 15.0,
    # Manual only: dial the number by hand on another phone, leave the
    # voicemail by voice, log what the line said on the call screen.
    "dial_by_hand": 12.0,
    "voicemail_by_voice": 20.0,
    "log_by_hand": 10.0,
    # Dialer only: the coordinator's pause before the next call once the line's
    # outcome was logged by itself (the setting's default).
    "pause": 5.0,
}


def agent_phone(index):
    """The phone of coordinator ``index``, which the dialer rings first."""
    return f"+1312555{2000 + index:04d}"


def draw_call(rng):
    """One call's line: (answer, ring seconds, greeting seconds, talk seconds)."""
    answer = rng.choices([a for a, _r in RATES], [r for _a, r in RATES])[0]
    if answer == "human":
        return (
            answer,
            rng.uniform(*TIMES["person_rings"]),
            0.0,
            rng.uniform(*TIMES["conversation"]),
        )
    if answer == "machine":
        greeting = min(
            rng.uniform(*TIMES["greeting"]) + TIMES["speech_end"], TIMES["amd_timeout"]
        )
        return answer, rng.uniform(*TIMES["voicemail_rings"]), greeting, 0.0
    if answer == "busy":
        return answer, TIMES["busy"], 0.0, 0.0
    return answer, TIMES["dial_timeout"], 0.0, 0.0


def line_seconds(answer, ring, greeting, talk):
    """The call on the line, from the dial to what it says (either way)."""
    return TIMES["agent_answer"] + ring + greeting + talk


def manual_seconds(call):
    """A coordinator's time for ``call`` without the dialer: dial by hand, the
    same line, a voicemail left by voice, the outcome logged by hand."""
    answer, ring, greeting, talk = call
    seconds = TIMES["dial_by_hand"] + ring + greeting + talk + TIMES["log_by_hand"]
    if answer == "machine":
        seconds += TIMES["voicemail_by_voice"]
    if answer == "human":
        seconds += TIMES["after_call"]
    return seconds


class Client:
    """A coordinator's browser session: JSON-RPC with its session cookie."""

    def __init__(self, base, database, login):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.call(
            "/web/session/authenticate",
            {"db": database, "login": login, "password": PASSWORD},
        )

    def call(self, route, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            self.base + route,
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=60) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def call_kw(self, model, method, args, kwargs=None):
        return self.call(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )


class Line:
    """The network behind the stand-in: each call created gets its callbacks
    (SimulatedLine's), and the moment its create request reached Twilio; the
    customers dialled for each coordinator's phone, in order."""

    def __init__(self, answers):
        from odoo.addons.sales_coordination.tools.twilio_standin import (
            SimulatedLine,
        )

        self.answers = answers
        self.simulated = SimulatedLine(TOKEN, None)
        self.calls = {}
        self.dialled = collections.defaultdict(list)

    def play(self, sid, form, account_sid=""):
        number = re.search(r"<Number[^>]*>([^<]+)</Number>", form["Twiml"])[1]
        events = list(
            self.simulated.callbacks(
                sid, {**form, "AccountSid": account_sid}, self.answers[number]
            )
        )
        self.calls[number] = (time.perf_counter(), events)
        self.dialled[form["To"]].append(number)


def post(base, url, params):
    """Post one callback signed for its public ``url`` to Odoo's loopback
    address, as behind a proxy."""
    params = {**params, "Timestamp": formatdate(usegmt=True)}
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    parts = urlsplit(url)
    request = urllib.request.Request(
        f"{base}{parts.path}?{parts.query}",
        data=urlencode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")


def setup(database, calls, standin_url, rng):
    """The floor's company, coordinators, Twilio integration and due calls;
    returns (company id, logins, {phone: drawn call}, {follow-up id: phone})."""
    tag = uuid.uuid4().hex[:6]
    with environment(database) as env:
        company = env["res.company"].create(
            {
                "name": f"Dialer floor {tag}",
                "sales_shared_queue": True,
                "sales_dialer_hour_start": 0,
                "sales_dialer_hour_end": 24,
                "sales_dialer_voicemail_url": "https://example.com/message.mp3",
            }
        )
        group = env.ref("sales_coordination.group_coordinator")
        users = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "name": f"Dialer coordinator {tag} {i}",
                        "login": f"bench_dialer_{tag}_{i}",
                        "password": PASSWORD,
                        "tz": "UTC",
                        "company_id": company.id,
                        "company_ids": [(6, 0, company.ids)],
                        "groups_id": [(6, 0, group.ids)],
                        "sales_dialer_phone": agent_phone(i),
                        "sales_dialer_on": True,
                        "sales_dialer_pause": 0,
                        "sales_dialer_voicemail_drop": True,
                    }
                    for i in range(COORDINATORS)
                ]
            )
        )
        env["sales.inbound.source"].create(
            {
                "name": f"Dialer floor Twilio {tag}",
                "provider": "twilio",
                "secret": TOKEN,
                "account_sid": ACCOUNT,
                "api_url": standin_url,
                "dialer_enabled": True,
                "dialer_caller_id": CALLER_ID,
                "company_id": company.id,
            }
        )
        areas = (312, 217, 608, 414, 773, 630, 847, 920)
        numbers = [
            f"+1{areas[i // 1000 % len(areas)]}555{1000 + i % 1000:04d}"
            for i in range(calls)
        ]
        leads = env["crm.lead"].create(
            [
                {
                    "name": f"Dialer floor customer {i}",
                    "type": "opportunity",
                    "phone": number,
                    "company_id": company.id,
                }
                for i, number in enumerate(numbers)
            ]
        )
        now = datetime.now()
        followups = env["sales.followup"].create(
            [
                {
                    "lead_id": lead.id,
                    "kind": "callback",
                    "window_start": now - timedelta(hours=1),
                    "window_end": now + timedelta(hours=3),
                }
                for lead in leads
            ]
        )
        return (
            company.id,
            users.mapped("login"),
            {number: draw_call(rng) for number in numbers},
            dict(zip(followups.ids, numbers, strict=True)),
        )


def cleanup(database, company_id):
    """Cancel the floor's calls that are still open, archive its people and
    its company."""
    with environment(database) as env:
        from odoo.addons.sales_coordination.models.sales_followup import OPEN_STATES

        env.cr.execute(
            SQL(
                """UPDATE sales_followup SET state = 'cancelled', claimed_by_id = NULL
                    WHERE company_id = %s AND state IN %s""",
                company_id,
                OPEN_STATES,
            )
        )
        env["sales.inbound.source"].search([("company_id", "=", company_id)]).write(
            {"dialer_enabled": False, "active": False}
        )
        # The coordinators, and the integration's own technical user.
        env["res.users"].search([("company_id", "=", company_id)]).write(
            {"active": False}
        )
        env["res.company"].browse(company_id).write(
            {"active": False, "sales_shared_queue": False}
        )


def final_index(answer, events):
    """Which of a call's callbacks logs what the line said: the customer
    leg's last status when nobody answered, the end of the greeting when a
    machine did; None when a person did (the coordinator logs)."""
    if answer == "human":
        return None
    if answer == "machine":
        return next(
            i for i, (_url, params) in enumerate(events) if "AnsweredBy" in params
        )
    return len(events) - 1


def floor(database, calls):
    """Run the floor; returns what it measured."""
    # Importable once the configuration has put the addons on the path.
    from odoo.addons.sales_coordination.tools.twilio_standin import TwilioStandIn

    rng = random.Random(35)
    line = Line({})
    standin = TwilioStandIn(ACCOUNT, TOKEN, line=line).start()
    company_id, logins, drawn, number_of = setup(database, calls, standin.url, rng)
    line.answers = {number: call[0] for number, call in drawn.items()}
    measured = {
        "chain": [],
        # The chain's parts: the final callback, Next call until Twilio's
        # create request (and the rest of Next call, outside the chain).
        "parts": [],
        "creates": [],
        "clocks": [0.0] * COORDINATORS,
        "manual": [0.0] * COORDINATORS,
        "dials": [0] * COORDINATORS,
        "errors": [],
        "drawn": drawn,
    }
    try:
        with odoo_server(database, WORKERS) as base:
            clients = [Client(base, database, login) for login in logins]
            threads = [
                threading.Thread(
                    target=coordinator,
                    args=(index, client, base, line, drawn, number_of, measured),
                )
                for index, client in enumerate(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        standin.stop()
        cleanup(database, company_id)
    if measured["errors"]:
        sys.exit(f"the dialer floor failed: {measured['errors'][0]}")
    return measured


def coordinator(index, client, base, line, drawn, number_of, measured):
    """One coordinator's day: Next call (claim and dial), the line's
    callbacks; a lead created over JSON-RPC during each call (the baseline).
    Their pause is 0 s: a call's final callback places the next call itself,
    and the coordinator presses Next call only after a conversation."""
    agent = agent_phone(index)
    # The call may have been placed by a callback, not by a press: its
    # follow-up is found by its number.
    followup_of = {number: followup for followup, number in number_of.items()}
    deferred = []  # what Twilio sends after the final callback
    number = None
    try:
        while True:
            if number is None:
                # Next call claims and dials, and answers the call screen.
                screen = client.call_kw("sales.followup", "action_next_call", [])
                if screen.get("type") != "ir.actions.act_window":
                    break
                number = number_of[screen["context"]["default_followup_id"]]
            _created_at, events = line.calls[number]
            for url, params in deferred:
                post(base, url, params)
            call = drawn[number]
            answer = call[0]
            final = final_index(answer, events)
            before = events if final is None else events[:final]
            for url, params in before:
                post(base, url, params)
            # While the line rings: the baseline, a lead created over JSON-RPC.
            start = time.perf_counter()
            client.call_kw(
                "crm.lead",
                "create",
                [{"name": f"Bench lead {index} {number}", "type": "opportunity"}],
            )
            measured["creates"].append(time.perf_counter() - start)
            measured["dials"][index] += 1
            measured["manual"][index] += manual_seconds(call)
            measured["clocks"][index] += line_seconds(*call)
            if final is None:
                # A person: the coordinator talks, picks the outcome, then
                # presses Next call.
                client.call_kw(
                    "sales.followup",
                    "action_log_call",
                    [followup_of[number], "connected", "done"],
                    {"duration": round(call[3])},
                )
                measured["clocks"][index] += TIMES["after_call"]
                deferred, number = [], None
                continue
            dialled = len(line.dialled[agent])
            final_at = time.perf_counter()
            post(base, *events[final])
            answered_at = time.perf_counter()
            deferred = events[final + 1 :]
            if len(line.dialled[agent]) == dialled:
                break  # nothing due: the callback placed no next call
            number = line.dialled[agent][-1]
            created_at = line.calls[number][0]
            server = created_at - final_at
            measured["chain"].append(server)
            # Not in the chain: the rest of the callback's request.
            measured["parts"].append(answered_at - created_at)
            measured["clocks"][index] += TIMES["pause"] + server
        for url, params in deferred:
            post(base, url, params)
    except Exception as error:  # told at the end
        measured["errors"].append(repr(error))


def report(measured, calls):
    drawn = list(measured["drawn"].values())
    shares = {
        name: sum(1 for call in drawn if call[0] in answers) / len(drawn)
        for name, answers in (
            ("a person", ("human",)),
            ("a machine", ("machine",)),
            ("nobody", ("no-answer", "busy")),
        )
    }
    hours = sum(measured["clocks"]) / 3600
    manual_hours = sum(measured["manual"]) / 3600
    dials = sum(measured["dials"])
    chain, creates = measured["chain"], measured["creates"]
    print(
        f"Dialer floor over HTTP, {WORKERS} workers, {COORDINATORS} coordinators, "
        f"{calls} due calls ("
        + ", ".join(f"{share:.0%} {name}" for name, share in shares.items())
        + "):"
    )
    print(f"  {'dials per coordinator-hour (simulated)':<40} {dials / hours:7.1f}")
    for name, values in (
        ("final callback -> next dial request", chain),
        ("crm.lead create over JSON-RPC", creates),
    ):
        print(
            f"  {name:<40} p50 {percentile(values, 0.5) * 1000:7.1f} ms"
            f"   p99 {percentile(values, 0.99) * 1000:7.1f} ms   ({len(values)})"
        )
    parts = measured["parts"]
    print(
        f"  {'  then the rest of the callback':<40} p50 "
        f"{percentile(parts, 0.5) * 1000:7.1f} ms   p99 "
        f"{percentile(parts, 0.99) * 1000:7.1f} ms   (to its answer, not counted)"
    )
    p50 = percentile(chain, 0.5) / percentile(creates, 0.5)
    p99 = percentile(chain, 0.99) / percentile(creates, 0.99)
    print(f"  {'ratios (goal: p99 <= 1.5)':<40} p50 {p50:7.2f} x      p99 {p99:7.2f} x")
    dialer_rate, manual_rate = dials / hours, dials / manual_hours
    print(
        f"  {'calls per coordinator-hour':<40} dialer {dialer_rate:.1f}, manual "
        f"dialling and logging {manual_rate:.1f} ({dialer_rate / manual_rate:.2f} x)"
    )


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument("--calls", type=int, default=1000),
    )
    report(floor(args.database, args.calls), args.calls)


if __name__ == "__main__":
    main()
