"""Many coordinators pressing Next call at once, each request on its own cursor and
committed, as Odoo workers would: every due follow-up is handed out exactly once,
none is lost, nobody deadlocks, and a claim whose request died comes back after
its lease."""

import threading
import traceback
import uuid
from datetime import datetime, timedelta

import pytest
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tools import SQL, config

THREADS = 16
FOLLOWUPS = 2000
LEADS = 500


def dbname():
    name = config["db_name"]
    return name[0] if isinstance(name, list) else name


@pytest.fixture
def queue():
    """A company of its own (shared call pool on) with 16 coordinators, one
    advisor and 2,000 due follow-ups, committed; archived and removed after."""
    registry = Registry(dbname())
    tag = uuid.uuid4().hex[:8]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].create(
            {"name": f"Queue race {tag}", "sales_shared_queue": True}
        )
        Users = env["res.users"].with_context(no_reset_password=True)
        common = {"company_id": company.id, "company_ids": [(6, 0, company.ids)]}
        coordinator_group = env.ref("sales_coordination.group_coordinator")
        coordinators = Users.create(
            [
                {
                    "name": f"Queue coordinator {tag} {i}",
                    "login": f"queue_c_{tag}_{i}",
                    "tz": "UTC",
                    "groups_id": [(6, 0, coordinator_group.ids)],
                    **common,
                }
                for i in range(THREADS)
            ]
        )
        advisor = Users.create(
            {
                "name": f"Queue advisor {tag}",
                "login": f"queue_a_{tag}",
                "tz": "UTC",
                "groups_id": [(6, 0, env.ref("sales_team.group_sale_salesman").ids)],
                "is_field_advisor": True,
                "coordinator_id": coordinators[0].id,
                **common,
            }
        )
        leads = env["crm.lead"].create(
            [
                {
                    "name": f"Queue lead {tag} {i}",
                    "type": "opportunity",
                    "user_id": advisor.id,
                    "company_id": company.id,
                    "expected_revenue": 1000 * (i % 17),
                    "probability": 10 + i % 80,
                }
                for i in range(LEADS)
            ]
        )
        now = datetime.now()
        env["sales.followup"].create(
            [
                {
                    "lead_id": leads[i % LEADS].id,
                    "kind": "quote" if i % 3 else "callback",
                    "window_start": now - timedelta(hours=1),
                    "window_end": now + timedelta(hours=3),
                }
                for i in range(FOLLOWUPS)
            ]
        )
        ids = {
            "company": company.id,
            "coordinators": coordinators.ids,
            "advisor": advisor.id,
            "leads": leads.ids,
        }
    yield ids
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        # The calls first, as a manager deletes them: leads holding calls refuse.
        env["sales.call"].search([("lead_id", "in", ids["leads"])]).unlink()
        env["crm.lead"].with_context(active_test=False).browse(ids["leads"]).unlink()
        env["res.users"].browse([*ids["coordinators"], ids["advisor"]]).write(
            {"active": False}
        )
        env["res.company"].browse(ids["company"]).write(
            {"active": False, "sales_shared_queue": False}
        )


def followup_states(ids):
    with Registry(dbname()).cursor() as cr:
        cr.execute(
            SQL(
                """SELECT state, count(*) FROM sales_followup
                    WHERE company_id = %s GROUP BY state""",
                ids["company"],
            )
        )
        return dict(cr.fetchall())


def request(registry, uid, work, retries):
    """One request: its own cursor and transaction, retried as Odoo retries a
    request after a serialization failure; ``retries`` counts those retries."""
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        attempts = []

        def attempt():
            attempts.append(1)
            return work(env)

        try:
            return retrying(attempt, env)
        finally:
            retries.append(len(attempts) - 1)


def claim(env):
    """A press of Next call: the claimed follow-up's id, or False."""
    return env["sales.followup"].claim_next().id


def log(followup_id):
    """The call made: connected, done."""

    def work(env):
        env["sales.followup"].browse(followup_id).action_log_call(
            "connected", "done", duration=60
        )

    return work


def test_sixteen_coordinators_empty_the_queue(queue):
    registry = Registry(dbname())
    barrier = threading.Barrier(THREADS)
    claimed = [[] for _ in range(THREADS)]
    claim_retries, log_retries, errors = [], [], []

    def coordinator(index, uid):
        try:
            barrier.wait(timeout=60)
            while True:
                followup_id = request(registry, uid, claim, claim_retries)
                if not followup_id:
                    return
                claimed[index].append(followup_id)
                request(registry, uid, log(followup_id), log_retries)
        except Exception:
            errors.append(traceback.format_exc())

    threads = [
        threading.Thread(target=coordinator, args=(i, uid))
        for i, uid in enumerate(queue["coordinators"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads), "a coordinator hung"
    assert not errors, errors[0]

    handed_out = [fid for ids in claimed for fid in ids]
    assert len(handed_out) == FOLLOWUPS, "every follow-up handed out"
    assert len(set(handed_out)) == FOLLOWUPS, "each exactly once"
    assert followup_states(queue) == {"done": FOLLOWUPS}, "none lost"
    assert sum(1 for ids in claimed if ids) > THREADS // 2, "the work was shared"
    # Claims run in their own READ COMMITTED transaction: no serialization
    # failure, hence no retry, however many coordinators press at once.
    assert sum(claim_retries) == 0, claim_retries
    print(
        f"\n{FOLLOWUPS} follow-ups by {THREADS} coordinators: claim retries "
        f"{sum(claim_retries)}, call-log retries {sum(log_retries)}"
    )


def test_one_coordinator_pressing_twice_at_once_gets_one_call(queue):
    """Two tabs, a double click: the same coordinator's presses at the same
    instant hand out one call, not two."""
    registry = Registry(dbname())
    uid = queue["coordinators"][0]
    presses, rounds = 6, 5
    retries, errors = [], []

    for _round in range(rounds):
        barrier = threading.Barrier(presses)
        got = []

        def press(barrier=barrier, got=got):
            try:
                barrier.wait(timeout=60)
                got.append(request(registry, uid, claim, retries))
            except Exception:
                errors.append(traceback.format_exc())

        threads = [threading.Thread(target=press) for _ in range(presses)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors[0]
        assert len(got) == presses and len(set(got)) == 1 and got[0], got
        # The call is made: the next round starts with nothing held.
        request(
            registry,
            uid,
            lambda env, fid=got[0]: env["sales.followup"]
            .browse(fid)
            .action_log_call("connected", "done"),
            retries,
        )
    assert followup_states(queue) == {"done": rounds, "queued": FOLLOWUPS - rounds}
    assert sum(retries) == 0, retries


def test_claim_of_a_dead_request_comes_back_after_the_lease(queue):
    registry = Registry(dbname())
    first, second = queue["coordinators"][:2]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        followups = env["sales.followup"].search(
            [("company_id", "=", queue["company"])]
        )
        keep, rest = followups[:1], followups[1:]
        rest.write({"state": "cancelled"})
    retries = []

    # The first coordinator's request claims the call, then dies.
    def claim_and_die(env):
        followup = env["sales.followup"].claim_next()
        assert followup == keep
        raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError):
        request(registry, first, claim_and_die, retries)

    # Nobody else gets it while the lease runs...
    assert not request(registry, second, claim, retries)
    # ...and once it has run out (moved into the past here), it comes back.
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                """UPDATE sales_followup SET claim_expires_at = now() at time zone
                   'UTC' - interval '1 second' WHERE id = %s""",
                keep.id,
            )
        )
    assert request(registry, second, claim, retries) == keep.id
    states = followup_states(queue)
    assert states == {"claimed": 1, "cancelled": FOLLOWUPS - 1}, states


def change_decay(registry, ids):
    """A manager changes the company's daily decay, as in its settings, from one
    rate to the other: every queued call waits for the upkeep. (The write only
    marks the company; the calls' rows are the upkeep's to rewrite.)"""
    with registry.cursor() as cr:
        company = api.Environment(cr, SUPERUSER_ID, {})["res.company"].browse(
            ids["company"]
        )
        decay = company.sales_priority_decay
        company.sales_priority_decay = 8.0 if decay != 8.0 else 5.0


def test_next_call_while_the_upkeep_runs(queue):
    """The decay upkeep runs again and again while 16 coordinators empty the
    queue: each call is handed out once, the upkeep finishes every time, nobody
    is told that nothing is due while calls wait, and neither side retries."""
    registry = Registry(dbname())
    change_decay(registry, queue)
    barrier = threading.Barrier(THREADS + 1)
    claimed = [[] for _ in range(THREADS)]
    claim_retries, upkeep_retries, errors, false_empty = [], [], [], []
    working = threading.Event()
    working.set()
    upkeep_runs = []

    def coordinator(index, uid):
        try:
            barrier.wait(timeout=60)
            while True:
                followup_id = request(registry, uid, claim, claim_retries)
                if not followup_id:
                    # Told nothing is due: a second press must agree.
                    again = request(registry, uid, claim, claim_retries)
                    if again:
                        false_empty.append(again)
                        followup_id = again
                    else:
                        return
                claimed[index].append(followup_id)
                request(registry, uid, log(followup_id), [])
        except Exception:
            errors.append(traceback.format_exc())

    def refresh(env):
        return env["sales.followup"]._cron_apply_decay(batch=100)

    def upkeep():
        try:
            barrier.wait(timeout=60)
            while working.is_set():
                batches = 0
                while request(registry, SUPERUSER_ID, refresh, upkeep_retries):
                    batches += 1
                upkeep_runs.append(batches)
                change_decay(registry, queue)
        except Exception:
            errors.append(traceback.format_exc())

    threads = [
        threading.Thread(target=coordinator, args=(i, uid))
        for i, uid in enumerate(queue["coordinators"])
    ]
    keeper = threading.Thread(target=upkeep)
    for thread in [*threads, keeper]:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    working.clear()
    keeper.join(timeout=120)
    assert not any(t.is_alive() for t in [*threads, keeper]), "something hung"
    assert not errors, errors[0]

    handed_out = [fid for ids in claimed for fid in ids]
    assert len(handed_out) == FOLLOWUPS, "every follow-up handed out"
    assert len(set(handed_out)) == FOLLOWUPS, "each exactly once"
    assert followup_states(queue) == {"done": FOLLOWUPS}, "none lost"
    # (a run that starts after the last call is made finds nothing to do)
    assert len([run for run in upkeep_runs if run]) >= 2, upkeep_runs
    assert not false_empty, f"{len(false_empty)} presses said nothing was due"
    assert sum(claim_retries) == 0, claim_retries
    assert sum(upkeep_retries) == 0, upkeep_retries
    print(
        f"\n{FOLLOWUPS} follow-ups by {THREADS} coordinators during "
        f"{len(upkeep_runs)} upkeep runs ({sum(upkeep_runs)} batches): claim "
        f"retries {sum(claim_retries)}, upkeep retries {sum(upkeep_retries)}"
    )


def test_the_pressing_request_keeps_to_the_id(queue):
    """What claim_next() says a caller may do in its own request: the claim is
    committed apart, so the request's snapshot (taken before) shows the call
    unclaimed and refuses to write it; the next request sees the claim."""
    registry = Registry(dbname())
    uid = queue["coordinators"][0]
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        env["sales.followup"].search_count([])  # the request's snapshot begins
        followup = env["sales.followup"].claim_next()
        assert followup
        cr.execute(SQL("SELECT state FROM sales_followup WHERE id = %s", followup.id))
        assert cr.fetchone()[0] == "queued"
        with pytest.raises(SerializationFailure):
            cr.execute(
                SQL("UPDATE sales_followup SET note = 'x' WHERE id = %s", followup.id)
            )
        cr.rollback()
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        assert env["sales.followup"].browse(followup.id).state == "claimed"
        assert env["sales.followup"].claim_next() == followup, "the same call"


def test_the_claim_cursor_reads_committed_the_request_keeps_its_snapshot():
    """In production the claim's cursor is a connection of its own, its
    transaction in READ COMMITTED (Next call's first statement of each look sets
    it itself: that it does, the sixteen coordinators' test shows, whose claims
    never fail to serialize); the request's stays REPEATABLE READ, and the
    connection goes back to the pool at Odoo's level."""
    registry = Registry(dbname())
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Followup = env["sales.followup"]
        with Followup._claim_cursor() as claim_cr:
            assert claim_cr is not cr
            claim_cr.execute("SHOW transaction_isolation")
            assert claim_cr.fetchone()[0] == "read committed"
            claim_cr.commit()
            # A transaction after a commit starts at Odoo's level again.
            claim_cr.execute("SHOW transaction_isolation")
            assert claim_cr.fetchone()[0] == "repeatable read"
            claim_cr.rollback()
            claim_cr.execute(Followup._read_committed_sql())
            claim_cr.execute("SHOW transaction_isolation")
            assert claim_cr.fetchone()[0] == "read committed"
        cr.execute("SHOW transaction_isolation")
        assert cr.fetchone()[0] == "repeatable read"
    with registry.cursor() as cr:
        cr.execute("SHOW transaction_isolation")
        assert cr.fetchone()[0] == "repeatable read"
