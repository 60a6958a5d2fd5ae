#!/usr/bin/env bash
# Load benchmark for `authd serve` (issue 6): login, durable logout and verify throughput as
# ratios to baselines measured in the same run, verify latency under a login flood, peak
# RSS with 100,000 sessions, and logout scaling.
#
#   bench/load/run.sh            # about 4 minutes after the build
#   LOAD_QUICK=1 bench/load/run.sh
#
# Environment: LOAD_SECONDS (per logout/verify run; default 10, quick 5),
# LOAD_LOGIN_SECONDS (login and raw PBKDF2; default 20, quick 10), LOAD_CONNECTIONS (64).
# It builds the release binary, installs wrk from Debian's packages when missing, works in
# a temporary directory (printed at the end), and prints a Markdown table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if ! command -v wrk >/dev/null 2>&1; then
    echo "== installing wrk" >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

echo "== building (release)" >&2
(cd "$repo" && swift build -c release --product authd >&2)

exec python3 "$here/load.py" "$repo/.build/release/authd"
