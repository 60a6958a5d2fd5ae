#!/usr/bin/env bash
# PostgreSQL mode of the load benchmark (issue 13): durable logout and verify on SQLite, on
# one replica on PostgreSQL and on two replicas sharing it, in one run; prints requests/s
# and the ratios between them as Markdown. About 2 minutes after the build.
#
#   bench/load/postgres.sh
#   AUTHD_BIN=/path/to/authd bench/load/postgres.sh   # skip the build
#
# Needs root (the cluster runs as the postgres user) and Debian's postgresql and wrk, which
# it installs when missing. Environment as bench/load/run.sh (LOAD_SECONDS,
# LOAD_CONNECTIONS, LOAD_KEEP), plus LOAD_USERS, LOAD_SESSIONS_PER_USER and
# LOAD_POSTGRES_PORT (55440).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
for package in wrk postgresql; do
    dpkg -s "$package" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$package" >/dev/null; }
done
if [[ -n "${AUTHD_BIN:-}" ]]; then
    authd="$AUTHD_BIN"
else
    echo "== building (release)" >&2
    (cd "$repo" && swift build -c release --product authd >&2)
    authd="$repo/.build/release/authd"
fi
exec python3 "$here/replicas.py" "$authd"
