#!/usr/bin/env python3
"""Before/after for the write path: runs bench/load/load.py on two authd binaries,
alternating, RUNS times each (default 3), and prints the median of every figure per binary.

    bench/load/compare.py BEFORE_BIN AFTER_BIN          # full runs (about 4 minutes each)
    LOAD_ONLY=write bench/load/compare.py BEFORE AFTER  # 404, logout and verify only
    LOAD_ONLY=login bench/load/compare.py BEFORE AFTER  # login against raw PBKDF2 only

Alternating the binaries spreads the machine's drift (other jobs, the disk) over both;
each ratio is still measured within one run against that run's own baseline. Environment
variables of load.py (LOAD_QUICK, LOAD_SECONDS, ...) apply to every run; RUNS sets the count.
A binary from before the pages-written counter (authd_db_pages_written_total) cannot be
measured: load.py needs that counter.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(binary):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, os.path.join(HERE, "load.py"), binary], check=True,
                       env={**os.environ, "LOAD_JSON": out.name}, stdout=subprocess.DEVNULL)
        with open(out.name) as f:
            return json.load(f)


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: bench/load/compare.py BEFORE_BIN AFTER_BIN")
    binaries = {"before": sys.argv[1], "after": sys.argv[2]}
    runs = int(os.environ.get("RUNS", "3"))
    results = {name: [] for name in binaries}
    for i in range(runs):
        for name, binary in binaries.items():
            print(f"== run {i + 1}/{runs}: {name} ({binary})", file=sys.stderr, flush=True)
            results[name].append(run(binary))

    def median(name, key, sub=None):
        values = [r[key][sub] if sub else r[key] for r in results[name]]
        return statistics.median(values), values

    print(f"| measure (median of {runs}; every run in brackets) | before | after |")
    print("|---|---:|---:|")
    for measure in results["before"][0]["ratios"]:
        cells = []
        for name in binaries:
            m, values = median(name, "ratios", measure)
            cells.append(f"{m:.3f} ({', '.join(f'{v:.3f}' for v in values)})")
        print(f"| {measure} | {cells[0]} | {cells[1]} |")
    for key, label, unit in [("writer_us_per_logout", "writer thread CPU per logout", "µs"),
                             ("wal_frames_per_logout", "WAL frames per logout", ""),
                             ("wal_kib_per_logout", "WAL KiB per logout", ""),
                             ("writes_per_transaction", "writes per transaction", "")]:
        if key not in results["before"][0]:
            continue  # LOAD_ONLY=login: no logout run
        cells = []
        for name in binaries:
            m, values = median(name, key)
            cells.append(f"{m:.2f}{unit} ({', '.join(f'{v:.2f}' for v in values)})")
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    for request in results["before"][0]["server_us_per_request"]:
        cells = [f"{median(name, 'server_us_per_request', request)[0]:.0f} µs" for name in binaries]
        print(f"| server CPU per {request} request | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
