"""The call queue under load, on the benchmark database (1M follow-ups, 100,000 due
at scale 1). Two measures, each as a ratio against a baseline of the same run:

1. The queue's upkeep: its daily run (which rewrites nothing: the days alone
   change no row) and its run after a new daily decay (every queued call takes
   the new rate): how long each takes, and the p99 of claim_next() while it runs
   against the p99 of claim_next() without it (goal, issue 19: at most 2x).
   Claims are undone, untimed, after each.
2. Next call end to end as the coordinator's browser does it, over HTTP on Odoo
   with 4 workers, 8 coordinators at once: the Next Call button (the claim) then
   opening the call screen (the form's onchange); against Odoo's own opening of
   a lead form (web_read of a crm.lead with its form view's fields) by the same
   coordinators in the same run. Each call is put back, untimed.

Usage: python bench/call_queue.py --config CONF --database DB [--presses N]
"""

import http.cookiejar
import json
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from common import environment, odoo_server, parse_args, percentile

from odoo import SUPERUSER_ID
from odoo.tools import SQL

WORKERS = 4
COORDINATORS = 8
PASSWORD = "bench-queue"


def coordinators(database, count):
    """Bench coordinators with due calls of their own advisors, able to log in."""
    with environment(database) as env:
        env.cr.execute(
            SQL(
                """SELECT queue_coordinator_id FROM sales_followup
                    WHERE state = 'queued' AND window_start <= now()
                      AND queue_coordinator_id IS NOT NULL
                 GROUP BY 1 ORDER BY count(*) DESC LIMIT %s""",
                count,
            )
        )
        users = env["res.users"].browse(row[0] for row in env.cr.fetchall())
        users.write({"password": PASSWORD})
        return [(user.id, user.login) for user in users]


def reset_claims(database, ids):
    with environment(database) as env:
        env.cr.execute(
            SQL(
                """UPDATE sales_followup SET state = 'queued', claimed_by_id = NULL,
                          claim_expires_at = NULL WHERE id = ANY(%s)""",
                list(ids),
            )
        )


def timed_claims(database, uid, claimed, limit, stop=lambda: False):
    """Claim as ``uid`` ``limit`` times, or until ``stop()``, undoing each claim;
    returns the latencies."""
    latencies = []
    with environment(database, uid) as env:
        Followup = env["sales.followup"]
        while not stop() and len(latencies) < limit:
            start = time.perf_counter()
            followup_id = Followup.claim_next().id
            latencies.append(time.perf_counter() - start)
            if followup_id:
                claimed.add(followup_id)
                reset_claims(database, [followup_id])
            env.invalidate_all()
    return latencies


def upkeep(database):
    """The queue's upkeep beside Next call: the daily run (the days alone change
    no row, so it only looks), then the run after a company changes its daily
    decay (every queued call takes the new rate, in batches)."""
    claimed = set()
    uid = coordinators(database, 1)[0][0]
    quiet = timed_claims(database, uid, claimed, 300)
    p99_quiet = percentile(quiet, 0.99)
    print(
        f"claim_next without upkeep  p50 {percentile(quiet, 0.5) * 1000:7.1f} ms"
        f"   p99 {p99_quiet * 1000:7.1f} ms   ({len(quiet)} claims)"
    )
    with environment(database) as env:
        env.cr.execute(
            SQL("SELECT count(*) FROM sales_followup WHERE state = 'queued'")
        )
        queued = env.cr.fetchone()[0]
    for label, decay in (("daily run", None), ("new decay", 7.5)):
        if decay is not None:
            with environment(database) as env:
                env["res.company"].search([]).write({"sales_priority_decay": decay})
        done = threading.Event()
        result = {}

        daily = decay is None
        enough = threading.Event()

        def apply_decay(result=result, done=done, daily=daily, enough=enough):
            # The daily run reads one company row: it runs again every 10 ms (a
            # thousand times more often than the scheduler would) until as many
            # claims as the quiet ones have been timed beside it.
            start = time.perf_counter()
            applied = runs = 0
            with environment(database, SUPERUSER_ID) as env:
                while True:
                    runs += 1
                    batch = env["sales.followup"]._cron_apply_decay()
                    applied += batch
                    if not batch and not (daily and not enough.is_set()):
                        break
                    if daily:
                        time.sleep(0.01)
            result["seconds"] = time.perf_counter() - start
            result["applied"] = applied
            result["runs"] = runs
            done.set()

        keeper = threading.Thread(target=apply_decay)
        keeper.start()
        busy = timed_claims(
            database, uid, claimed, len(quiet) if daily else 100_000, done.is_set
        )
        enough.set()
        keeper.join()
        p99_busy = percentile(busy, 0.99) if busy else 0.0
        print(
            f"queue upkeep, {label} ({result['runs']} runs): {result['applied']:,} "
            f"of {queued:,} queued follow-ups rewritten in {result['seconds']:.1f} s"
        )
        print(
            f"claim_next during it       p50 "
            f"{percentile(busy, 0.5) * 1000 if busy else 0:7.1f} ms"
            f"   p99 {p99_busy * 1000:7.1f} ms   ({len(busy)} claims)"
        )
        print(f"{'p99 ratio (goal <= 2)':<26} {p99_busy / p99_quiet:7.2f} x")
    with environment(database) as env:
        env["res.company"].search([]).write({"sales_priority_decay": 5.0})
        env["sales.followup"]._cron_apply_decay(batch=10**7)
    reset_claims(database, claimed)


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

    def form_spec(self, model):
        """The fields of ``model``'s form view as the web client asks for them."""
        views = self.call_kw(model, "get_views", [[[False, "form"]]])
        fields = views["models"][model]["fields"]
        return {
            name: {"fields": {"display_name": {}}}
            if field["type"] in ("many2one", "one2many", "many2many")
            else {}
            for name, field in fields.items()
        }


def next_call_http(database, presses):
    users = coordinators(database, COORDINATORS)
    with environment(database) as env:
        # Each coordinator opens leads they work.
        leads = [
            env["crm.lead"].search([("coordinator_id", "=", uid)], limit=50).ids
            for uid, _login in users
        ]
    with odoo_server(database, WORKERS) as base:
        clients = [Client(base, database, login) for _uid, login in users]
        outcome_spec = clients[0].form_spec("sales.call.outcome")
        lead_spec = clients[0].form_spec("crm.lead")

        def press(i):
            client = clients[i % len(clients)]
            start = time.perf_counter()
            action = client.call_kw("sales.followup", "action_next_call", [])
            followup_id = action["context"]["default_followup_id"]
            client.call_kw(
                "sales.call.outcome",
                "onchange",
                [[], {}, [], outcome_spec],
                {"context": action["context"]},
            )
            latency = time.perf_counter() - start
            client.call_kw("sales.followup", "action_release", [[followup_id]])
            return latency

        def open_lead(i):
            client, mine = clients[i % len(clients)], leads[i % len(clients)]
            start = time.perf_counter()
            client.call_kw("crm.lead", "web_read", [[mine[i % len(mine)]], lead_spec])
            return time.perf_counter() - start

        with ThreadPoolExecutor(len(clients)) as pool:
            list(pool.map(open_lead, range(len(clients) * 4)))  # warm every worker
            baseline = list(pool.map(open_lead, range(presses)))
            measured = list(pool.map(press, range(presses)))
    print(
        f"Next call over HTTP, {WORKERS} workers, {len(clients)} coordinators, "
        f"{presses} presses each way:"
    )
    for name, values in (("crm.lead form web_read", baseline), ("Next call", measured)):
        print(
            f"  {name:<24} p50 {percentile(values, 0.5) * 1000:7.1f} ms"
            f"   p99 {percentile(values, 0.99) * 1000:7.1f} ms"
        )
    p50 = percentile(measured, 0.5) / percentile(baseline, 0.5)
    p99 = percentile(measured, 0.99) / percentile(baseline, 0.99)
    print(f"  {'ratios':<24} p50 {p50:7.2f} x   p99 {p99:7.2f} x")


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: parser.add_argument("--presses", type=int, default=400),
    )
    upkeep(args.database)
    next_call_http(args.database, args.presses)


if __name__ == "__main__":
    main()
