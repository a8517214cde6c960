"""Several servers and a read replica under load (scripts/cluster.sh): the
by-source pivot and the coordinator board, which Odoo serves from the replica,
while 8 coordinators press Next call on the primary through both servers. Two
ratios of the same run: the pivots' latency with Next call running against the
same pivots alone, and Next call's throughput with the pivots running against
Next call alone. Each call is put back, untimed.

Usage (the cluster running on the benchmark database, e.g. CLUSTER_DB=sc_bench
CLUSTER_FROM_DB=sc_bench make cluster):
    python bench/cluster.py --config <the cluster's odoo-8071.conf> --database DB
        --urls http://127.0.0.1:8071,http://127.0.0.1:8072 [--presses N] [--pivots N]
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from call_queue import PASSWORD, Client, coordinators
from common import environment, parse_args, percentile

COORDINATORS = 8
MANAGERS = 2


def managers(database, count):
    """Bench managers able to log in (the pivots are theirs)."""
    with environment(database) as env:
        group = env.ref("sales_coordination.group_manager")
        users = group.users.filtered(lambda user: user.active and not user.share)
        users = users[:count]
        users.write({"password": PASSWORD})
        return [user.login for user in users]


def pivots(client):
    """The manager's two screens: the by-source pivot (leads, appointments,
    won and revenue by source and month) and the board's cards."""
    start = time.perf_counter()
    client.call_kw(
        "sales.report.source",
        "read_group",
        [
            [],
            ["lead_count:sum", "appointment_count:sum", "won_count:sum", "revenue:sum"],
            ["source_id", "date:month"],
        ],
        {"lazy": False},
    )
    client.call_kw(
        "sales.coordinator.board",
        "web_search_read",
        [[]],
        {
            "specification": {
                "user_id": {"fields": {"display_name": {}}},
                "calls_today": {},
                "calls_month": {},
                "connection_ratio": {},
                "appointments_set_week": {},
                "booking_rate": {},
                "debriefs_overdue": {},
                "leads_not_contacted": {},
            }
        },
    )
    return time.perf_counter() - start


def press(client):
    action = client.call_kw("sales.followup", "action_next_call", [])
    followup_id = action.get("context", {}).get("default_followup_id")
    if followup_id:
        client.call_kw("sales.followup", "action_release", [[followup_id]])
    return bool(followup_id)


def next_calls(clients, presses):
    """``presses`` Next calls from every client at once; their rate per second."""
    start = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        handed = list(
            pool.map(lambda i: press(clients[i % len(clients)]), range(presses))
        )
    wall = time.perf_counter() - start
    if not all(handed):
        raise SystemExit("a Next call found nothing due: the database has too few")
    return presses / wall


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: (
            parser.add_argument("--urls", required=True),
            parser.add_argument("--presses", type=int, default=400),
            parser.add_argument("--pivots", type=int, default=20),
        ),
    )
    urls = args.urls.split(",")
    users = coordinators(args.database, COORDINATORS)
    bosses = managers(args.database, MANAGERS)
    clients = [
        Client(urls[i % len(urls)], args.database, login)
        for i, (_uid, login) in enumerate(users)
    ]
    readers = [
        Client(urls[i % len(urls)], args.database, login)
        for i, login in enumerate(bosses)
    ]
    # Warm every worker and cache.
    for reader in readers:
        pivots(reader)
    next_calls(clients, len(clients) * 4)

    alone = [pivots(readers[i % len(readers)]) for i in range(args.pivots)]
    rate_alone = next_calls(clients, args.presses)

    loaded, done = [], threading.Event()

    def read(reader):
        while not done.is_set():
            loaded.append(pivots(reader))

    threads = [threading.Thread(target=read, args=(reader,)) for reader in readers]
    for thread in threads:
        thread.start()
    try:
        rate_loaded = next_calls(clients, args.presses)
    finally:
        done.set()
        for thread in threads:
            thread.join()

    print(
        f"several servers ({len(urls)}), reads from the replica: {len(clients)} "
        f"coordinators pressing Next call, {len(readers)} managers reading"
    )
    for name, values in (("pivots alone", alone), ("pivots beside Next call", loaded)):
        print(
            f"  {name:<26} p50 {percentile(values, 0.5) * 1000:8.1f} ms"
            f"   p99 {percentile(values, 0.99) * 1000:8.1f} ms   ({len(values)} runs)"
        )
    print(
        f"  {'ratio':<26} p50 {percentile(loaded, 0.5) / percentile(alone, 0.5):8.2f} x"
    )
    print(f"  Next call alone            {rate_alone:8.1f} /s")
    print(f"  Next call beside pivots    {rate_loaded:8.1f} /s")
    print(f"  {'ratio':<26} {rate_loaded / rate_alone:8.2f} x")


if __name__ == "__main__":
    main()
