"""Twilio and CallRail events over HTTP: Odoo with 4 workers on the benchmark
database, complete calls of new callers posted by 8 senders at once (Twilio: the
completed status, then the recording; CallRail: post-call), each creating a
contact, a lead and a logged call. Reports events per second and the p50/p99
latency, each as a ratio against a JSON-RPC ``crm.lead`` ``create`` with a new
contact (the least work Odoo itself does for a new lead; and, as the events also
create the contact, ``res.partner`` then ``crm.lead``) posted the same way in the
same run: each measure alone (in two halves taken in turns), then the creates and
the events in one stream, where a shared machine's load weighs on both alike (the
target, at most 1.5x the create's latency, is read there). The integrations, the
JSON-RPC user and what they created are removed afterwards.

Usage: python bench/telephony.py --config CONF --database DB [--events N]
"""

import json
import secrets
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlencode

from common import environment, odoo_server, parse_args, percentile
from twilio.request_validator import RequestValidator

from odoo import SUPERUSER_ID

SENDERS = 8
WORKERS = 4
TARGET = 1.5  # the events' latency, at most this times the JSON-RPC create's
BASELINE = "crm.lead create (JSON-RPC)"
PAIR = "res.partner + crm.lead (JSON-RPC)"
EVENTS = ("Twilio completed status", "Twilio recording", "CallRail post-call")


def setup(database):
    tag = uuid.uuid4().hex[:8]
    with environment(database) as env:
        # Saving an integration creates its dedicated technical user.
        twilio, callrail = env["sales.inbound.source"].create(
            [
                {
                    "name": f"Bench Twilio {tag}",
                    "provider": "twilio",
                    "secret": secrets.token_hex(16),
                },
                {
                    "name": f"Bench CallRail {tag}",
                    "provider": "callrail",
                    "secret": secrets.token_hex(16),
                },
            ]
        )
        number = env["sales.tracking.number"].search([], limit=1)
        password = secrets.token_hex(16)
        # Odoo's own salesperson, who creates leads with its own rights.
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": f"Bench JSON-RPC {tag}",
                    "login": f"bench-rpc-{tag}",
                    "password": password,
                    "groups_id": [
                        (6, 0, env.ref("sales_team.group_sale_salesman").ids),
                        # Contact creation, which Odoo gives its employees.
                        (4, env.ref("base.group_partner_manager").id),
                    ],
                }
            )
        )
        return {
            "tag": tag,
            "twilio": twilio.id,
            "twilio_token": twilio.secret,
            "callrail": callrail.id,
            "callrail_key": callrail.secret,
            "callrail_path": callrail.endpoint_token,
            "bots": (twilio | callrail).user_id.ids,
            "tracking": number.number or "+12175550100",
            "user": user.id,
            "password": password,
        }


def cleanup(database, ids):
    with environment(database, SUPERUSER_ID) as env:
        integrations = [ids["twilio"], ids["callrail"]]
        makers = [*ids["bots"], ids["user"]]
        events = env["sales.inbound.event"].search([("source_id", "in", integrations)])
        # Only what the bench created: a caller may match an existing lead.
        leads = events.lead_id | env["crm.lead"].with_context(active_test=False).search(
            [("create_uid", "=", ids["user"])]
        )
        leads = leads.filtered(lambda lead: lead.create_uid.id in makers)
        partners = env["res.partner"].search([("create_uid", "in", makers)])
        # History goes first (as a manager deletes it): what holds it refuses.
        calls = env["sales.call"].search(
            ["|", ("integration_id", "in", integrations), ("lead_id", "in", leads.ids)]
        )
        events.unlink()
        calls.unlink()
        leads.unlink()
        partners.unlink()
        env["sales.inbound.source"].browse(integrations).unlink()
        users = env["res.users"].browse(makers)
        partners = users.partner_id
        try:
            with env.cr.savepoint():
                users.unlink()
                partners.unlink()
        except Exception:
            # Something still refers to them (Odoo refuses or the database does):
            # out of sight, then.
            users.write({"active": False})
            partners.write({"active": False})


def caller(ids, area, i):
    # US numbers of the run's own exchange, new for each run.
    assert i < 10**4, "too many events for the run's own numbers"
    return f"+1{area}5{int(ids['tag'], 16) % 90 + 10:02d}{i:04d}"


def twilio_posts(ids, base, calls, offset):
    """Per call, its completed status and its recording callback, signed as
    Twilio signs them: two lists of (url, body, headers)."""
    url = f"{base}/sales_coordination/inbound/twilio/{ids['twilio']}"
    validator = RequestValidator(ids["twilio_token"])
    ended = datetime.now(timezone.utc).replace(microsecond=0)
    statuses, recordings = [], []
    for i in range(offset, offset + calls):
        sid = f"CA{ids['tag']}{i:06d}"
        duration = 60 + i % 300
        status = {
            "AccountSid": "AC" + "0" * 32,
            "CallSid": sid,
            "From": caller(ids, 608, i),
            "To": ids["tracking"],
            "CallerName": f"Bench caller {i}",
            "CallStatus": "completed",
            "CallDuration": str(duration),
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "Timestamp": format_datetime(ended - timedelta(minutes=1), usegmt=True),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": "3",
        }
        recording = {
            "AccountSid": status["AccountSid"],
            "CallSid": sid,
            "RecordingSid": f"RE{ids['tag']}{i:06d}",
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/"
            f"{status['AccountSid']}/Recordings/RE{ids['tag']}{i:06d}",
            "RecordingStatus": "completed",
            "RecordingDuration": str(duration - 2),
            "RecordingChannels": "1",
            "RecordingSource": "DialVerb",
        }
        for params, posts in ((status, statuses), (recording, recordings)):
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": validator.compute_signature(url, params),
            }
            posts.append((url, urlencode(params).encode(), headers))
    return statuses, recordings


def callrail_posts(ids, base, calls, offset, signature):
    """Per call, its post-call webhook, signed as CallRail signs it."""
    url = (
        f"{base}/sales_coordination/inbound/callrail/{ids['callrail']}/"
        f"{ids['callrail_path']}?event=post_call"
    )
    started = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5)
    posts = []
    for i in range(offset, offset + calls):
        call_id = f"CAL{ids['tag']}{i:06d}"
        body = json.dumps(
            {
                "resource_id": call_id,
                "company_resource_id": "COMBENCH",
                "tracking_phone_number": ids["tracking"],
                "customer_phone_number": caller(ids, 414, i),
                "customer_name": f"Bench caller {i}",
                "direction": "inbound",
                "start_time": started.isoformat(),
                "answered": True,
                "voicemail": False,
                "duration": 60 + i % 300,
                "first_call": True,
                "source": "Google Ads",
                "medium": "CPC",
                "recording": f"https://api.callrail.com/v3/a/1/calls/{call_id}.json",
                "recording_player": f"https://app.callrail.com/calls/{call_id}",
                "recording_duration": str(58 + i % 300),
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Signature": signature(ids["callrail_key"], body),
        }
        posts.append((url, body, headers))
    return posts


def rpc_posts(ids, base, database, count, offset, with_partner=False):
    """JSON-RPC creates of a new lead with its new contact: (url, body, headers)
    per lead, or, ``with_partner``, a pair (the contact, then its lead)."""
    url = f"{base}/jsonrpc"
    headers = {"Content-Type": "application/json"}

    def call(model, values, i):
        args = [database, ids["user"], ids["password"], model, "create", [values]]
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": "object", "method": "execute_kw", "args": args},
            "id": i,
        }
        return (url, json.dumps(body).encode(), headers)

    posts = []
    for i in range(offset, offset + count):
        name = f"Bench RPC caller {ids['tag']} {i}"
        phone = caller(ids, 920 if with_partner else 262, i)
        email = f"bench.rpc.{ids['tag']}.{i}@example.com"
        lead = {
            "name": f"{name}: Call",
            "type": "opportunity",
            "contact_name": name,
            "partner_name": name,
            "email_from": email,
            "phone": phone,
        }
        if with_partner:
            partner = {"name": name, "phone": phone, "email": email}
            posts.append((call("res.partner", partner, i), call("crm.lead", lead, i)))
        else:
            posts.append(call("crm.lead", lead, i))
    return posts


def timed_post(url, body, headers):
    request = urllib.request.Request(url, data=body, headers=headers)
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
        status = response.status
    latency = time.perf_counter() - start
    if status != 200 or "error" in answer:
        sys.exit(f"unexpected answer from {url}: {status} {str(answer)[:300]}")
    return latency, answer


def timed_pair(partner, lead):
    """The contact, then the lead on it: the latency of both."""
    latency, answer = timed_post(*partner)
    url, body, headers = lead
    payload = json.loads(body)
    payload["params"]["args"][5][0]["partner_id"] = answer["result"]
    lead_latency, _answer = timed_post(url, json.dumps(payload).encode(), headers)
    return latency + lead_latency, None


def post_one(request):
    if isinstance(request[0], tuple):
        return timed_pair(*request)[0]
    return timed_post(*request)[0]


def run(requests):
    """Post every request (or pair) from SENDERS threads; returns the latencies
    and the wall time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(SENDERS) as pool:
        latencies = list(pool.map(post_one, requests))
    return latencies, time.perf_counter() - start


def mixed(ids, base, database, blocks, offsets, signature):
    """The lead creates and the events in one stream, in turns, each block
    [create, status, create, post-call, create, post-call, create, recording
    of two blocks before]: (kind, request) each."""
    twilio, callrail, rpc = offsets
    statuses, recordings = twilio_posts(ids, base, blocks, twilio)
    posts = callrail_posts(ids, base, 2 * blocks, callrail, signature)
    creates = rpc_posts(ids, base, database, 4 * blocks, rpc)
    stream = []
    for i in range(blocks + 2):
        if i < blocks:
            stream += [
                (BASELINE, creates[4 * i]),
                (EVENTS[0], statuses[i]),
                (BASELINE, creates[4 * i + 1]),
                (EVENTS[2], posts[2 * i]),
                (BASELINE, creates[4 * i + 2]),
                (EVENTS[2], posts[2 * i + 1]),
                (BASELINE, creates[4 * i + 3]),
            ]
        if i >= 2:
            stream.append((EVENTS[1], recordings[i - 2]))
    return stream


def run_mixed(stream):
    """Post the stream from SENDERS threads: the latencies of each kind."""
    with ThreadPoolExecutor(SENDERS) as pool:
        latencies = list(pool.map(post_one, [request for _kind, request in stream]))
    by_kind = {}
    for (kind, _request), latency in zip(stream, latencies, strict=True):
        by_kind.setdefault(kind, []).append(latency)
    by_kind["telephony events (all)"] = [
        latency
        for (kind, _request), latency in zip(stream, latencies, strict=True)
        if kind in EVENTS
    ]
    return by_kind


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument("--events", type=int, default=400),
    )
    # Importable once the configuration has put the addons on the path.
    from odoo.addons.sales_coordination.tools.telephony import callrail_signature

    # Twilio's calls bring two events each, CallRail's one: half the events each.
    twilio_calls = max(args.events // 4, 2)
    callrail_calls = max(args.events // 2, 2)
    leads = twilio_calls * 2 + callrail_calls
    blocks = max(args.events // 8, 2)
    warm = SENDERS * 2
    ids = setup(args.database)
    results = {}
    try:
        with odoo_server(args.database, WORKERS) as base:
            # Every worker up and warm, each route and the RPC user's credentials
            # once in each worker's cache.
            statuses, recordings = twilio_posts(ids, base, warm, 0)
            run(statuses)
            run(recordings)
            run(callrail_posts(ids, base, warm, 0, callrail_signature))
            run(rpc_posts(ids, base, args.database, warm, 0))
            run(rpc_posts(ids, base, args.database, warm, 0, with_partner=True))

            # Each measure alone, in two halves taken in turns.
            plan = []
            for half in range(2):
                t_calls, c_calls, rpc = (
                    twilio_calls // 2,
                    callrail_calls // 2,
                    leads // 2,
                )
                t_off = warm + half * t_calls
                c_off = warm + half * c_calls
                r_off = warm + half * rpc
                statuses, recordings = twilio_posts(ids, base, t_calls, t_off)
                callrail = callrail_posts(ids, base, c_calls, c_off, callrail_signature)
                plan += [
                    (BASELINE, rpc_posts(ids, base, args.database, rpc, r_off)),
                    (EVENTS[0], statuses),
                    (EVENTS[1], recordings),
                    (EVENTS[2], callrail),
                    (PAIR, rpc_posts(ids, base, args.database, rpc, r_off, True)),
                ]
            for name, requests in plan:
                latencies, wall = run(requests)
                total = results.setdefault(name, [[], 0.0])
                total[0] += latencies
                total[1] += wall
            # Then all in one stream, like for like whatever the machine does.
            offsets = (warm + twilio_calls, warm + callrail_calls, warm + leads)
            stream = mixed(
                ids, base, args.database, blocks, offsets, callrail_signature
            )
            together = run_mixed(stream)
    finally:
        cleanup(args.database, ids)

    events = [[], 0.0]
    for name in EVENTS:
        events[0] += results[name][0]
        events[1] += results[name][1]
    results["telephony events (all)"] = events

    def figures(values, seconds):
        return len(values) / seconds, percentile(values, 0.5), percentile(values, 0.99)

    def latency(name, values, base_values):
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        ratios = (
            p50 / percentile(base_values, 0.5),
            p99 / percentile(base_values, 0.99),
        )
        text = (
            f"{name:<36} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
            f"   p50 x{ratios[0]:5.2f}  p99 x{ratios[1]:5.2f}"
        )
        return text, ratios

    print(
        f"telephony HTTP on {args.database}: {len(events[0])} events "
        f"({twilio_calls} Twilio calls, {callrail_calls} CallRail calls) against "
        f"as many crm.lead creates, {SENDERS} senders, Odoo with {WORKERS} workers"
    )
    print("each alone (events per second as a ratio of lead creates per second):")
    base_rate = figures(*results[BASELINE])[0]
    for name, (values, seconds) in results.items():
        rate = len(values) / seconds
        text, _ratios = latency(name, values, results[BASELINE][0])
        print(f"  {text}   {rate:6.1f} /s x{rate / base_rate:5.2f}")
    print(
        f"in one stream ({len(stream)} requests, creates and events in turns), "
        "like for like:"
    )
    worst = 0.0
    for name in (BASELINE, *EVENTS, "telephony events (all)"):
        text, ratios = latency(name, together[name], together[BASELINE])
        print(f"  {text}")
        if name in (EVENTS[0], EVENTS[2], "telephony events (all)"):
            worst = max(worst, *ratios)
    verdict = "within" if worst <= TARGET else "over"
    print(
        f"target: each lead-making event at most {TARGET}x the crm.lead create's "
        f"latency in one stream: {verdict} (worst x{worst:.2f})"
    )


if __name__ == "__main__":
    main()
