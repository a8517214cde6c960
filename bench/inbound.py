"""Inbound events over HTTP: Odoo with 4 workers on the benchmark database, events
posted to /sales_coordination/inbound by 8 senders at once (missed and answered
calls, web forms; new callers, so each creates a lead). Reports events per second
and the p50/p99 latency, each as a ratio against Odoo's own
/web/webclient/version_info round trip (JSON-RPC, no database work) posted the
same way in the same run. The integration and what its events created are removed
afterwards.

Usage: python bench/inbound.py --config CONF --database DB [--events N]
"""

import json
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from common import environment, odoo_server, parse_args, percentile

from odoo import SUPERUSER_ID

SENDERS = 8
WORKERS = 4


def setup(database):
    tag = uuid.uuid4().hex[:8]
    with environment(database) as env:
        # Saving the integration creates its dedicated technical user.
        integration = env["sales.inbound.source"].create(
            {"name": f"Bench inbound {tag}"}
        )
        number = env["sales.tracking.number"].search([], limit=1)
        return {
            "tag": tag,
            "bot": integration.user_id.id,
            "integration": integration.id,
            "secret": integration.secret,
            "tracking": number.number or "+3225550100",
        }


def cleanup(database, ids):
    with environment(database, SUPERUSER_ID) as env:
        events = env["sales.inbound.event"].search(
            [("source_id", "=", ids["integration"])]
        )
        # Only what the events created: a caller may match an existing lead.
        leads = events.lead_id.filtered(lambda lead: lead.create_uid.id == ids["bot"])
        partners = leads.partner_id.filtered(lambda p: p.create_uid.id == ids["bot"])
        # History goes first (as a manager deletes it): what holds it refuses.
        calls = events.call_id | env["sales.call"].search(
            [("lead_id", "in", leads.ids)]
        )
        events.unlink()
        calls.unlink()
        leads.unlink()
        partners.unlink()
        env["sales.inbound.source"].browse(ids["integration"]).unlink()
        env["res.users"].browse(ids["bot"]).write({"active": False})


def event(ids, i):
    started = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    common = {"event_id": f"{ids['tag']}-{i}", "started_at": started}
    if i % 4 == 3:
        return {
            **common,
            "type": "form",
            "caller_name": f"Bench form {i}",
            "email": f"bench.{ids['tag']}.{i}@example.com",
            "message": "A quote for a heat pump, please",
        }
    return {
        **common,
        "type": "call",
        "tracking_number": ids["tracking"],
        # Belgian mobile numbers, new for each run.
        "caller_number": f"+3247{int(ids['tag'], 16) % 90 + 10:02d}{i:05d}",
        "caller_name": f"Bench caller {i}",
        "duration": 0 if i % 2 else 120,
        "answered": not i % 2,
    }


def timed_post(url, body, headers):
    request = urllib.request.Request(url, data=body, headers=headers)
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        status = response.status
    return time.perf_counter() - start, status


def run(requests):
    """Post every (url, body, headers) from SENDERS threads; returns the
    latencies and the wall time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(SENDERS) as pool:
        results = list(pool.map(lambda r: timed_post(*r), requests))
    wall = time.perf_counter() - start
    bad = [status for _latency, status in results if status != 200]
    if bad:
        sys.exit(f"unexpected statuses: {bad[:5]}")
    return sorted(latency for latency, _status in results), wall


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument("--events", type=int, default=400),
    )
    # Importable once the configuration has put the addons on the path.
    from odoo.addons.sales_coordination.tools.signing import signed_headers

    ids = setup(args.database)
    try:
        with odoo_server(args.database, WORKERS) as base:
            version = json.dumps(
                {"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}
            ).encode()
            baseline = [
                (
                    f"{base}/web/webclient/version_info",
                    version,
                    {"Content-Type": "application/json"},
                )
            ] * args.events
            inbound = []
            for i in range(args.events):
                body = json.dumps(event(ids, i)).encode()
                headers = signed_headers(ids["integration"], ids["secret"], body)
                inbound.append((f"{base}/sales_coordination/inbound", body, headers))
            run(baseline[: SENDERS * 4])  # every worker up and warm
            base_latencies, base_wall = run(baseline)
            latencies, wall = run(inbound)
    finally:
        cleanup(args.database, ids)

    def line(name, values, seconds):
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        return (
            f"{name:<34} {len(values) / seconds:9.1f} /s"
            f"   p50 {p50 * 1000:8.1f} ms   p99 {p99 * 1000:8.1f} ms"
        )

    print(
        f"inbound HTTP on {args.database}: {args.events} requests, {SENDERS} senders,"
        f" Odoo with {WORKERS} workers"
    )
    print(line("version_info (baseline)", base_latencies, base_wall))
    print(line("inbound events", latencies, wall))
    p50 = percentile(latencies, 0.5) / percentile(base_latencies, 0.5)
    p99 = percentile(latencies, 0.99) / percentile(base_latencies, 0.99)
    rate = (len(latencies) / wall) / (len(base_latencies) / base_wall)
    print(f"{'ratios':<34} {rate:9.2f} x   p50 {p50:8.2f} x    p99 {p99:8.2f} x")


if __name__ == "__main__":
    main()
