"""Several Odoo servers on one PostgreSQL primary, reads from a streaming replica:
the shape `make cluster` starts (scripts/cluster.sh), started here on a copy of
the test database. As odoorpc clients spread over both servers: Next call hands
each of 400 due calls out once; two coordinators on different servers race for an
advisor's last slot of a day; 200 inbound events with retries are recorded once;
a session and a setting hold across the servers; a scheduled action runs once; a
pivot of the funnel is answered by the replica (read in the replica's statement
log), and by the primary once the replica is stopped."""

import json
import os
import random
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import odoorpc
import pytest
import requests

from odoo.tools import config

from odoo.addons.sales_coordination.tools.signing import signed_headers

TOP = Path(__file__).resolve().parent.parent
CALLS = 400
COORDINATORS = 8
EVENTS = 150
RETRIES = 50
PASSWORD = "cluster-test"


def free_ports(count, step=10):
    """``count`` HTTP ports, each with its gevent port (+``step``) free too."""
    ports = []
    while len(ports) < count:
        base = random.randrange(20000, 40000)
        try:
            for port in (base, base + step):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        ports.append(base)
    return ports


def source_db():
    name = config["db_name"]
    return name[0] if isinstance(name, list) else name


@pytest.fixture
def cluster(odoo_command, tmp_path):
    """The shape, started by scripts/cluster.sh on a copy of the test database,
    every statement of both nodes in their logs; stopped and removed after."""
    pg_dir = os.environ.get("SC_PG_DIR")
    if not pg_dir:
        pytest.fail("run through `make test`: SC_PG_DIR is unset")
    tag = uuid.uuid4().hex[:8]
    http = free_ports(2)
    pg_ports = free_ports(1, step=1)[0]
    env = {
        **os.environ,
        "PG_DIR": pg_dir,
        "CLUSTER_PG": f"{pg_dir}.cluster-{tag}",
        "CLUSTER_RUN": str(tmp_path / "run"),
        "CLUSTER_DB": f"sc_cluster_{tag}",
        "CLUSTER_FROM_DB": source_db(),
        "CLUSTER_HTTP_PORTS": " ".join(map(str, http)),
        "CLUSTER_PRIMARY_PORT": str(pg_ports),
        "CLUSTER_REPLICA_PORT": str(pg_ports + 1),
        # The replica logs its statements (it runs only reads); the primary
        # from the pivots on (check_pivots).
        "CLUSTER_REPLICA_LOG": "all",
    }
    script = [str(TOP / "scripts" / "cluster.sh")]

    def run(action):
        result = subprocess.run(
            ["bash", *script, action],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    try:
        run("start")
        yield {
            "db": env["CLUSTER_DB"],
            "ports": http,
            "pg": Path(env["CLUSTER_PG"]),
            "run": Path(env["CLUSTER_RUN"]),
            "conf": Path(env["CLUSTER_RUN"]) / f"odoo-{http[0]}.conf",
            "stop_replica": lambda: run("stop-replica"),
            "primary_port": pg_ports,
            "command": odoo_command[0],
        }
    finally:
        run("stop")
        subprocess.run(["rm", "-rf", env["CLUSTER_PG"]], check=False)


def shell(cluster, code):
    """Run ``code`` in `odoo shell` on the cluster's database (its primary)."""
    result = subprocess.run(
        [
            *cluster["command"],
            "shell",
            "-c",
            str(cluster["conf"]),
            "-d",
            cluster["db"],
            "--no-http",
            "--workers=0",
            "--log-level=warn",
        ],
        input=code,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.split("IDS", 1)[1].splitlines()[0])


SETUP = (
    """
import json
from datetime import datetime, timedelta
env["sales.followup"]._cancel_open_for()
group = env.ref("sales_coordination.group_coordinator")
Users = env["res.users"].with_context(no_reset_password=True)
coordinators = Users.create([
    {"name": f"Cluster coordinator {i}", "login": f"cluster{i}",
     "email": f"cluster{i}@example.com",
     "password": PASSWORD, "tz": "UTC", "groups_id": [(6, 0, group.ids)]}
    for i in range(COORDINATORS)])
calendar = env.ref("resource.resource_calendar_std")
calendar.tz = "UTC"
advisor = Users.create({
    "name": "Cluster advisor", "login": "cluster_advisor", "tz": "UTC",
    "email": "cluster_advisor@example.com",
    "groups_id": [(6, 0, env.ref("sales_team.group_sale_salesman").ids)],
    "is_field_advisor": True, "daily_appointment_capacity": 1,
    "coordinator_id": coordinators[0].id,
    "backup_coordinator_id": coordinators[1].id,
    "resource_calendar_id": calendar.id})
# Nobody's calls: every coordinator's Next call reaches them.
leads = env["crm.lead"].create([
    {"name": f"Cluster caller {i}", "type": "opportunity", "user_id": False,
     "coordinator_id": False} for i in range(CALLS)])
now = datetime.now()
followups = env["sales.followup"]._sales_queue([
    {"lead_id": lead.id, "kind": "callback",
     "window_start": now - timedelta(hours=1), "window_end": now + timedelta(hours=3)}
    for lead in leads])
source = env["utm.source"].create({"name": "Cluster radio"})
race = env["crm.lead"].create([
    {"name": f"Cluster race {i}", "type": "opportunity", "user_id": advisor.id,
     "source_id": source.id} for i in range(2)])
integration = env["sales.inbound.source"].create({"name": "Cluster tracking"})
env["ir.config_parameter"].set_param("sales_coordination.cluster_test_runs", "0")
cron = env["ir.cron"].create({
    "name": "Cluster test: once per schedule",
    "model_id": env.ref("base.model_ir_config_parameter").id,
    "state": "code",
    "code": "key = 'sales_coordination.cluster_test_runs'\\n"
            "env['ir.config_parameter'].set_param(key, str(int("
            "env['ir.config_parameter'].get_param(key)) + 1))",
    "interval_number": 1, "interval_type": "days",
    "nextcall": now + timedelta(days=1)})
env.cr.commit()
cron._trigger()
env.cr.commit()
print("IDS" + json.dumps({
    "followups": followups.ids, "advisor": advisor.id, "race": race.ids,
    "integration": integration.id, "secret": integration.secret,
    "company": env.company.id}))
""".replace("PASSWORD", repr(PASSWORD))
    .replace("COORDINATORS", str(COORDINATORS))
    .replace("CALLS", str(CALLS))
)


def client(cluster, n, login, password=PASSWORD):
    port = cluster["ports"][n % 2]
    odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=120)
    odoo.login(cluster["db"], login, password)
    return odoo


def pg_bin():
    return max(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
    )


def statements(cluster, node, needle):
    log = cluster["pg"] / node / "server.log"
    return sum(needle in line for line in log.read_text(errors="replace").splitlines())


def check_next_call(cluster, ids):
    """Next call, 8 coordinators over both servers, until the 400 calls are gone."""
    handed, errors = [], []
    barrier = threading.Barrier(COORDINATORS)

    def press(n):
        try:
            odoo = client(cluster, n, f"cluster{n}")
            Followup = odoo.env["sales.followup"]
            barrier.wait(timeout=120)
            while True:
                claimed = Followup.claim_next()
                if not claimed:
                    return
                handed.append(claimed)
                odoo.execute(
                    "sales.followup", "action_log_call", [claimed], "connected", "done"
                )
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=press, args=(n,)) for n in range(COORDINATORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors[:3]
    assert sorted(handed) == sorted(ids["followups"]), "each call handed out once"


def check_last_slot(cluster, ids):
    """The advisor's last slot of a day, from two servers at once."""
    monday = datetime.now(timezone.utc).date() + timedelta(weeks=2)
    monday -= timedelta(days=monday.weekday())
    outcomes, barrier = [], threading.Barrier(2)

    def book(n):
        odoo = client(cluster, n, f"cluster{n}")
        start = datetime.combine(monday, datetime.min.time()) + timedelta(
            hours=9 + 4 * n
        )
        barrier.wait(timeout=60)
        try:
            odoo.env["calendar.event"].create(
                {
                    "name": f"Cluster visit {n}",
                    "is_sales_appointment": True,
                    "advisor_id": ids["advisor"],
                    "opportunity_id": ids["race"][n],
                    "start": start.strftime("%Y-%m-%d %H:%M:%S"),
                    "stop": (start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
                }
            )
            outcomes.append("booked")
        except odoorpc.error.RPCError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=book, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes.count("booked") == 1, outcomes
    refusal = next(outcome for outcome in outcomes if outcome != "booked")
    assert "appointments that day" in refusal, refusal


def check_inbound(cluster, ids):
    """200 inbound events, alternately to both servers, with retries."""
    posts = [i for i in range(EVENTS)] + [
        random.randrange(EVENTS) for _ in range(RETRIES)
    ]
    random.shuffle(posts)
    answers, failures = {}, []
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()

    def post(index, i):
        body = json.dumps(
            {
                "type": "call",
                "event_id": f"cluster-{i}",
                "tracking_number": "+3225550199",
                "caller_number": f"+32476{i:06d}",
                "caller_name": f"Cluster inbound {i}",
                "started_at": stamp,
                "duration": 0,
                "answered": False,
            }
        ).encode()
        port = cluster["ports"][index % 2]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/sales_coordination/inbound",
            data=body,
            headers=signed_headers(ids["integration"], ids["secret"], body),
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            answers.setdefault(i, set()).add(response.read())

    def sender(offset):
        try:
            for index in range(offset, len(posts), 8):
                post(index, posts[index])
        except (urllib.error.URLError, OSError) as error:
            failures.append(repr(error))

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not failures, failures[:3]
    assert len(answers) == EVENTS
    assert all(len(seen) == 1 for seen in answers.values()), "a retry got other ids"


def check_session(cluster, ids):
    """A session opened on one server is the same on the other."""
    web = requests.Session()
    first, second = (f"http://127.0.0.1:{port}" for port in cluster["ports"])
    login = web.post(
        f"{first}/web/session/authenticate",
        json={
            "params": {"db": cluster["db"], "login": "cluster2", "password": PASSWORD}
        },
        timeout=60,
    ).json()["result"]
    info = web.post(f"{second}/web/session/get_session_info", json={}, timeout=60)
    assert info.json()["result"]["uid"] == login["uid"]


def check_setting(cluster, ids):
    """A setting changed on one server is in force on the other at once."""
    admin = client(cluster, 0, "admin", "admin")
    admin.env["res.company"].browse(ids["company"]).write({"sales_claim_minutes": 7})
    now = datetime.now()
    admin.env["sales.followup"].create(
        {
            "lead_id": ids["race"][0],
            "kind": "callback",
            "window_start": (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
            "window_end": (now + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    other = client(cluster, 1, "cluster0")
    claimed = other.env["sales.followup"].claim_next()
    assert claimed
    expires = other.env["sales.followup"].read(claimed, ["claim_expires_at"])[0]
    lease = datetime.strptime(expires["claim_expires_at"], "%Y-%m-%d %H:%M:%S") - now
    assert timedelta(minutes=6) < lease < timedelta(minutes=8), lease


def check_pivots(cluster, ids):
    """The funnel's pivot, from each server: answered by the replica."""

    # As the web client asks (/web/dataset/call_kw, which Odoo routes by the
    # method: read_group is read-only); /jsonrpc, odoorpc's, always goes to the
    # primary.
    web = requests.Session()
    base = [f"http://127.0.0.1:{port}" for port in cluster["ports"]]
    web.post(
        f"{base[0]}/web/session/authenticate",
        json={"params": {"db": cluster["db"], "login": "admin", "password": "admin"}},
        timeout=60,
    ).raise_for_status()

    def pivot(n):
        response = web.post(
            f"{base[n]}/web/dataset/call_kw/sales.report.funnel/read_group",
            json={
                "params": {
                    "model": "sales.report.funnel",
                    "method": "read_group",
                    "args": [[], ["lead_count:sum", "sold_count:sum"], ["source_id"]],
                    "kwargs": {"lazy": False},
                }
            },
            timeout=60,
        )
        return response.json()["result"]

    subprocess.run(
        [
            f"{pg_bin()}/psql",
            "-h",
            str(cluster["pg"] / "primary" / "run"),
            "-p",
            str(cluster["primary_port"]),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            "ALTER SYSTEM SET log_statement = 'all'",
            "-c",
            "SELECT pg_reload_conf()",
        ],
        check=True,
        capture_output=True,
    )
    time.sleep(1)

    needle = '"sales_report_funnel"'
    for n in range(2):
        on_replica = statements(cluster, "replica", needle)
        on_primary = statements(cluster, "primary", needle)
        assert pivot(n)
        assert statements(cluster, "replica", needle) > on_replica, f"server {n}"
        assert statements(cluster, "primary", needle) == on_primary, f"server {n}"
    # The replica stopped: the same pivot, from the primary.
    cluster["stop_replica"]()
    for n in range(2):
        on_primary = statements(cluster, "primary", needle)
        assert pivot(n)
        assert statements(cluster, "primary", needle) > on_primary, f"server {n}"


def check_cron(cluster, ids):
    """The scheduled action ran once, by one of the two servers' cron workers."""
    admin = client(cluster, 0, "admin", "admin")
    deadline = ids["started"] + 90
    runs = None
    while time.monotonic() < deadline:
        runs = admin.env["ir.config_parameter"].get_param(
            "sales_coordination.cluster_test_runs"
        )
        if runs != "0":
            break
        time.sleep(2)
    time.sleep(3)
    runs = admin.env["ir.config_parameter"].get_param(
        "sales_coordination.cluster_test_runs"
    )
    assert runs == "1", runs


def test_several_servers_one_primary_a_replica(cluster):
    ids = shell(cluster, SETUP)
    ids["started"] = time.monotonic()
    # (each step's time, in the test's output when it fails or with -s)
    t0 = time.monotonic()
    check_next_call(cluster, ids)
    print(f"check_next_call: {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    check_last_slot(cluster, ids)
    print(f"check_last_slot: {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    check_inbound(cluster, ids)
    print(f"check_inbound: {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    check_session(cluster, ids)
    print(f"check_session: {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    check_setting(cluster, ids)
    print(f"check_setting: {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    check_pivots(cluster, ids)
    print(f"check_pivots: {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    check_cron(cluster, ids)
    print(f"check_cron: {time.monotonic() - t0:.1f} s")
