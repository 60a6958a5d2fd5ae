#!/usr/bin/env python3
"""Turns run.sh's hyperfine JSON into the BENCHMARKS.md tables (standard library only).

    report.py ROWS verify.json [queries.json ...]

Every figure is relative to something measured in the same run: a query's cost is its time
minus the baseline's (the same binary opening the same database without querying it), the
baseline being pooled from its runs at the start and at the end of the hyperfine session.
"""

import json
import math
import statistics
import sys

GOAL_MS = 10.0


def load(path):
    with open(path) as f:
        return {r["command"]: r for r in json.load(f)["results"]}


def query_table(queries):

    baselines = [r for name, r in queries.items() if name.startswith("baseline")]
    base_times = [t for r in baselines for t in r["times"]]
    base_mean = statistics.fmean(base_times)
    base_median = statistics.median(base_times)
    base_var = statistics.variance(base_times) if len(base_times) > 1 else 0.0

    ms = lambda s: s * 1000.0
    print("| query | mean ± σ (ms) | baseline mean (ms) | cost = query − baseline (ms) | ratio query / baseline "
          "| cost by medians (ms) | cost < 10 ms |")
    print("|---|---:|---:|---:|---:|---:|:---:|")
    for name, r in queries.items():
        if name.startswith("baseline"):
            continue
        times = r["times"]
        mean = statistics.fmean(times)
        var = statistics.variance(times) if len(times) > 1 else 0.0
        cost = mean - base_mean
        se = math.sqrt(var / len(times) + base_var / len(base_times))
        median_cost = statistics.median(times) - base_median
        ok = "yes" if ms(cost) < GOAL_MS else "**no**"
        print(f"| `{name}` | {ms(mean):.1f} ± {ms(statistics.stdev(times) if len(times) > 1 else 0):.1f} "
              f"| {ms(base_mean):.1f} | {ms(cost):+.1f} ± {ms(se):.1f} | {mean / base_mean:.2f}× "
              f"| {ms(median_cost):+.1f} | {ok} |")
    print()
    drift = " / ".join(f"{ms(r['mean']):.1f}" for r in baselines)
    print(f"Baseline (`authd migrate status`) means at the start / end of the session: {drift} ms "
          f"(pooled {ms(base_mean):.1f} ms, median {ms(base_median):.1f} ms). "
          "± on the cost is one standard error of the difference of means.")
    print()


def main():
    rows, verify = int(sys.argv[1]), load(sys.argv[2])
    for path in sys.argv[3:]:
        query_table(load(path))

    # Rates relative to the bare scan (its time over theirs): the goal is verify at
    # >= 0.25 of the bare scan's rate. Older runs have neither the every-column scan nor a
    # "before" binary.
    base = verify["sqlite3 full scan"]
    labels = {
        "sqlite3 full scan": "`sqlite3 … count(*), sum(length(hash))`",
        "sqlite3 scan of every column": "`sqlite3 … sum(… length(CAST(column AS BLOB)) …)`",
        "authd audit verify (before)": "`authd audit verify` (before)",
        "authd audit verify": "`authd audit verify`",
    }
    print("| full pass over the log | mean ± σ (s) | rows per second | rate / bare scan's | rate / every-column scan's |")
    print("|---|---:|---:|---:|---:|")
    every = verify.get("sqlite3 scan of every column")
    for name, label in labels.items():
        r = verify.get(name)
        if r is None:
            continue
        to_every = f"{every['mean'] / r['mean']:.3f}" if every else "–"
        print(f"| {label} | {r['mean']:.2f} ± {r['stddev'] or 0:.2f} | {rows / r['mean']:,.0f} "
              f"| {base['mean'] / r['mean']:.3f} | {to_every} |")
    if "authd audit verify (before)" in verify:
        before, after = verify["authd audit verify (before)"], verify["authd audit verify"]
        print()
        print(f"`audit verify` after / before: {before['mean'] / after['mean']:.1f}× the rate.")

if __name__ == "__main__":
    main()
