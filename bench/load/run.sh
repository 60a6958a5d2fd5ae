#!/usr/bin/env bash
# Load benchmark for `authd serve` (issue 6): login, durable logout and verify throughput as
# ratios to baselines measured in the same run, verify latency under a login flood, peak
# RSS with 100,000 sessions, and logout scaling (connections, sessions per user).
#
#   bench/load/run.sh                 # builds release, then about 3 minutes
#   LOAD_QUICK=1 bench/load/run.sh    # shorter runs (about 2 minutes)
#   AUTHD_BIN=/path/to/authd bench/load/run.sh   # skip the build, use this binary
#
# Environment: LOAD_SECONDS (per logout/verify/404 run; default 10, quick 4),
# LOAD_LOGIN_SECONDS (login and raw PBKDF2; default 20, quick 10), LOAD_CONNECTIONS (64),
# LOAD_KEEP=1 keeps the temporary directory (the server log and token files are there),
# LOAD_ONLY=write runs only the 404, durable logout and verify steps, LOAD_JSON=FILE also
# writes the figures as JSON (bench/load/compare.py uses it).
# It installs wrk from Debian's packages when missing, works in a temporary directory, and
# prints a Markdown table on standard output (progress on standard error).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if ! command -v wrk >/dev/null 2>&1; then
    echo "== installing wrk" >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

if [[ -n "${AUTHD_BIN:-}" ]]; then
    authd="$AUTHD_BIN"
else
    echo "== building (release)" >&2
    (cd "$repo" && swift build -c release --product authd >&2)
    authd="$repo/.build/release/authd"
fi

exec python3 "$here/load.py" "$authd"
