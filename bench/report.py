"""Write what `make bench` printed into the performance page and the history.

The page (docs/performance.md) keeps its hand-written text; only the part between
its two markers is replaced by the last run: when, on what, and every figure
printed by the benchmark scripts. The same block is appended to the history
(bench/HISTORY.md), so that no build's figures are lost when the page moves on.

Usage: python3 bench/report.py --output FILE --page PAGE --history HISTORY
           [--note TEXT]...
(no Odoo needed: the standard library only)
"""

import argparse
import datetime
import os
import pathlib
import platform
import subprocess
import sys

BEGIN = "<!-- make bench: begin (written by bench/report.py; edit outside) -->"
END = "<!-- make bench: end -->"


def machine():
    cores = os.cpu_count() or 0
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = ""
    return f"{platform.node() or 'this machine'} ({cores} cores{memory})"


def commit(top):
    try:
        return subprocess.run(
            ["git", "-C", str(top), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def block(label, now, output, notes, top):
    lines = [
        f"{label}: {now:%Y-%m-%d %H:%M} UTC, commit {commit(top)}, on {machine()}.",
        "",
        *(f"- {note}" for note in notes),
        *([""] if notes else []),
        "```text",
        output.rstrip("\n"),
        "```",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="what the benchmarks printed")
    parser.add_argument("--page", required=True)
    parser.add_argument("--history", required=True)
    parser.add_argument("--note", action="append", default=[])
    args = parser.parse_args()
    top = pathlib.Path(__file__).resolve().parent.parent
    output = pathlib.Path(args.output).read_text(encoding="utf-8")
    now = datetime.datetime.now(datetime.UTC)
    text = block("Last run", now, output, args.note, top)

    page = pathlib.Path(args.page)
    # A page outside the checkout (the smoke run's) starts from the real one.
    source = page if page.exists() else top / "docs" / "performance.md"
    current = source.read_text(encoding="utf-8")
    head, begin, rest = current.partition(BEGIN)
    _old, end, tail = rest.partition(END)
    if not begin or not end:
        sys.exit(f"{source}: the markers of the generated part are missing")
    page.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")

    history = pathlib.Path(args.history)
    if not history.exists():
        history.write_text(
            "# Benchmark history\n\nEvery `make bench` run, oldest first.\n",
            encoding="utf-8",
        )
    with history.open("a", encoding="utf-8") as lines:
        entry = block("Run", now, output, args.note, top)
        lines.write(f"\n## {now:%Y-%m-%d %H:%M} UTC (make bench)\n\n{entry}\n")
    print(f"figures written to {page} and {history}")


if __name__ == "__main__":
    main()
