"""Run every benchmark of the project against the benchmark database.

Each benchmark is a pair: the code measured and its baseline, measured alternately
in the same run on the same database; one line per figure: name, median, min and
max over the repeats, and the ratio of medians against the baseline.

Usage: python bench/run.py --config CONF --database DB [--repeat N] [--only NAME]
"""

import statistics
import time

import benchmarks
from common import environment, parse_args


def measure(env, func, warmup, reset):
    """Seconds and SQL queries of one call of ``func`` (after a warm-up call);
    ``reset`` undoes what a call changed, untimed."""
    if warmup:
        func(env)
        reset(env)
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    func(env)
    seconds = time.perf_counter() - start
    queries = env.cr.sql_log_count - queries
    reset(env)
    env.invalidate_all()
    return seconds, queries


def fmt(seconds):
    return f"{seconds * 1000:9.1f} ms"


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: (
            parser.add_argument("--repeat", type=int, default=7),
            parser.add_argument("--only", default=None),
        ),
    )
    with environment(args.database) as env:
        scale = env["ir.config_parameter"].get_param("sales_coordination.bench_scale")
        print(
            f"benchmarks on {args.database} (data scale {scale}), "
            f"{args.repeat} runs each, times are medians:"
        )
        print(
            f"{'name':<34} {'median':>12} {'min':>12} {'max':>12}   "
            f"{'baseline median':>15}   ratio"
        )
        for bench in benchmarks.ALL:
            if args.only and args.only not in bench.name:
                continue
            user_env = bench.environment(env)
            bench.prepare(user_env)
            runs, base_runs = [], []
            if bench.alternate:
                for i in range(args.repeat):
                    base_runs.append(
                        measure(user_env, bench.baseline, i == 0, bench.reset)
                    )
                    runs.append(measure(user_env, bench.run, i == 0, bench.reset))
            else:
                # The baseline needs the data changed: all its runs in one block,
                # inside a savepoint rolled back before the measured runs.
                with env.cr.savepoint(flush=False) as savepoint:
                    bench.setup_baseline(user_env)
                    for i in range(args.repeat):
                        base_runs.append(
                            measure(user_env, bench.baseline, i == 0, bench.reset)
                        )
                    savepoint.rollback()
                env.invalidate_all()
                for i in range(args.repeat):
                    runs.append(measure(user_env, bench.run, i == 0, bench.reset))
            times = [seconds for seconds, _queries in runs]
            median = statistics.median(times)
            base = statistics.median(seconds for seconds, _queries in base_runs)
            print(
                f"{bench.name:<34} {fmt(median)} {fmt(min(times))} {fmt(max(times))}"
                f"   {fmt(base):>15}   {median / base:5.2f}"
                f"   {runs[-1][1]:>5} ({base_runs[-1][1]})",
                flush=True,
            )
            env.cr.rollback()


if __name__ == "__main__":
    main()
