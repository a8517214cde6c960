"""Run every benchmark of the project against the benchmark database.

Each benchmark is a pair: the code measured and its baseline, measured alternately
in the same run on the same database. First the state of the database's big
tables (how much of each the visibility map covers, when it was vacuumed and
analysed: a live database is as autovacuum leaves it), then one line per figure:
name, median, min and max over the repeats, the baseline's median, the ratio of
medians and the spread of the ratio run by run (min-max). A figure is named noisy
when its ratio moves by more than 30% between runs, or against the last figure of
another build of the database kept in the history file (--history).

Usage: python bench/run.py --config CONF --database DB [--repeat N] [--only NAME]
           [--history FILE]
"""

import datetime
import json
import os
import statistics
import time

import benchmarks
from common import environment, parse_args

from odoo.tools import SQL

# The tables the benchmarks read, big at scale 1.
BIG_TABLES = [
    "res_partner",
    "crm_lead",
    "sales_call",
    "calendar_event",
    "sales_followup",
]
# A ratio moving by more than this share between runs or builds is noise.
NOISE = 0.30
# Below this share of its pages all-visible, a table is not as autovacuum leaves it.
ALL_VISIBLE = 0.9


def measure(env, func, warmup, reset, calls=1):
    """Seconds and SQL queries of one call of ``func`` (after a warm-up call),
    averaged over ``calls`` calls: a single call of a millisecond is the
    machine's noise more than the code's; ``reset`` undoes what a call changed,
    untimed, after each."""
    if warmup:
        func(env)
        reset(env)
    seconds = queries = 0
    for _call in range(calls):
        env.invalidate_all()
        count = env.cr.sql_log_count
        start = time.perf_counter()
        func(env)
        seconds += time.perf_counter() - start
        queries += env.cr.sql_log_count - count
        reset(env)
    env.invalidate_all()
    return seconds / calls, round(queries / calls)


def fmt(seconds):
    return f"{seconds * 1000:9.1f} ms"


def print_state(env):
    """The state of the big tables, as the planner and the executor see it; a
    warning when one of them is not as a live database holds it."""
    env.cr.execute(
        SQL(
            """SELECT c.relname, c.relpages, c.relallvisible, s.n_dead_tup,
                      GREATEST(s.last_vacuum, s.last_autovacuum),
                      GREATEST(s.last_analyze, s.last_autoanalyze)
                 FROM pg_class c
                 JOIN pg_stat_user_tables s ON s.relid = c.oid
                WHERE c.relname = ANY(%s)
             ORDER BY c.relname""",
            BIG_TABLES,
        )
    )
    print("database state (pages all-visible, dead rows, last vacuum, last analyse):")
    fresh = []
    for name, pages, visible, dead, vacuumed, analysed in env.cr.fetchall():
        share = visible / pages if pages else 1.0
        print(
            f"  {name:<16} {share:6.1%} of {pages:>8,} pages  {dead:>10,} dead"
            f"  {stamp(vacuumed, 'never vacuumed')}"
            f"  {stamp(analysed, 'never analysed')}"
        )
        if share < ALL_VISIBLE or not analysed:
            fresh.append(name)
    if fresh:
        print(
            f"  WARNING: {', '.join(fresh)} not as autovacuum leaves a live "
            "database: figures of a fresh load, not of production (run "
            "VACUUM (ANALYZE) first, as make bench does)"
        )


def stamp(moment, never):
    return f"{moment:%Y-%m-%d %H:%M}" if moment else never


def build_of(env):
    return (
        env["ir.config_parameter"].get_param("sales_coordination.bench_built")
        or "unknown"
    )


def last_of_other_build(history, database, build):
    """The last ratios recorded for ``database`` by another build than ``build``:
    (build, {name: ratio}), or (None, {})."""
    if not history or not os.path.exists(history):
        return None, {}
    last = None, {}
    with open(history, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["database"] == database and record["build"] != build:
                last = record["build"], record["ratios"]
    return last


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: (
            parser.add_argument("--repeat", type=int, default=7),
            parser.add_argument("--only", default=None),
            parser.add_argument("--history", default=None),
        ),
    )
    with environment(args.database) as env:
        scale = env["ir.config_parameter"].get_param("sales_coordination.bench_scale")
        build = build_of(env)
        print(
            f"benchmarks on {args.database} (data scale {scale}, built {build}), "
            f"{args.repeat} runs each, times are medians:"
        )
        print_state(env)
        other_build, other_ratios = last_of_other_build(
            args.history, args.database, build
        )
        print(
            f"{'name':<36} {'median':>12} {'min':>12} {'max':>12}   "
            f"{'baseline median':>15}   ratio   run by run   queries (baseline)"
        )
        ratios = {}
        for bench in benchmarks.ALL:
            if args.only and args.only not in bench.name:
                continue
            user_env = bench.environment(env)
            bench.prepare(user_env)
            runs, base_runs = [], []
            if bench.alternate:
                for i in range(args.repeat):
                    base_runs.append(
                        measure(
                            user_env, bench.baseline, i == 0, bench.reset, bench.calls
                        )
                    )
                    runs.append(
                        measure(user_env, bench.run, i == 0, bench.reset, bench.calls)
                    )
            else:
                # The baseline needs the data changed: all its runs in one block,
                # inside a savepoint rolled back before the measured runs.
                with env.cr.savepoint(flush=False) as savepoint:
                    bench.setup_baseline(user_env)
                    for i in range(args.repeat):
                        base_runs.append(
                            measure(
                                user_env,
                                bench.baseline,
                                i == 0,
                                bench.reset,
                                bench.calls,
                            )
                        )
                    savepoint.rollback()
                env.invalidate_all()
                for i in range(args.repeat):
                    runs.append(
                        measure(user_env, bench.run, i == 0, bench.reset, bench.calls)
                    )
            times = [seconds for seconds, _queries in runs]
            base_times = [seconds for seconds, _queries in base_runs]
            median = statistics.median(times)
            base = statistics.median(base_times)
            ratio = median / base
            # Run by run: each run against the baseline run beside it (or against
            # the baseline's median when the baseline ran in a block of its own).
            run_ratios = [
                seconds / (base_times[i] if bench.alternate else base)
                for i, seconds in enumerate(times)
            ]
            spread = (max(run_ratios) - min(run_ratios)) / ratio
            notes = []
            if spread > NOISE:
                notes.append(f"noisy: ratio moves {spread:.0%} run to run")
            before = other_ratios.get(bench.name)
            if before and abs(ratio / before - 1) > NOISE:
                notes.append(f"noisy: {before:.2f} on the build of {other_build}")
            ratios[bench.name] = ratio
            print(
                f"{bench.name:<36} {fmt(median)} {fmt(min(times))} {fmt(max(times))}"
                f"   {fmt(base):>15}   {ratio:5.2f}"
                f"   {min(run_ratios):4.2f}-{max(run_ratios):4.2f}"
                f"   {runs[-1][1]:>5} ({base_runs[-1][1]})"
                + (f"   {'; '.join(notes)}" if notes else ""),
                flush=True,
            )
            env.cr.rollback()
        if args.history and ratios:
            with open(args.history, "a", encoding="utf-8") as history:
                record = {
                    "database": args.database,
                    "build": build,
                    "date": datetime.datetime.now(datetime.UTC).isoformat(),
                    "repeat": args.repeat,
                    "ratios": ratios,
                }
                history.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
