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


def measure(env, func, warmup):
    if warmup:
        func(env)
    env.invalidate_all()
    start = time.perf_counter()
    func(env)
    seconds = time.perf_counter() - start
    env.invalidate_all()
    return seconds


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
            for i in range(args.repeat):
                base_runs.append(measure(user_env, bench.baseline, warmup=i == 0))
                runs.append(measure(user_env, bench.run, warmup=i == 0))
            median = statistics.median(runs)
            base = statistics.median(base_runs)
            print(
                f"{bench.name:<34} {fmt(median)} {fmt(min(runs))} {fmt(max(runs))}"
                f"   {fmt(base):>15}   {median / base:5.2f}",
                flush=True,
            )
            env.cr.rollback()


if __name__ == "__main__":
    main()
