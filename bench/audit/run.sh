#!/usr/bin/env bash
# Audit-query benchmark: each single-filter `authd audit` query over a large audit log,
# timed through the real binary against a baseline of the same binary doing everything but
# the query (`authd migrate status`: process start, open, migration check, close).
#
#   bench/audit/run.sh
#
# Environment:
#   AUDIT_BENCH_DB    database to use; generated there if missing, reused if present
#                     (default: a fresh one in a temporary directory, deleted at the end)
#   AUDIT_BENCH_ROWS  rows to generate (default 10000000)
#   AUDIT_BENCH_RUNS  hyperfine runs per query (default 30); warmup is 5
#   AUDIT_BENCH_EDGE_RUNS  runs for the empty-time-window queries (default 5)
#   AUDIT_BENCH_VERIFY_RUNS  runs for audit verify and the sqlite3 scans (default 3)
#   AUDIT_BENCH_VERIFY_BEFORE  another authd binary (e.g. main's) whose audit verify is
#                     timed alongside, for a before/after ratio from one run
#   AUDIT_BENCH_ONLY  "verify": time only audit verify and the scans (skips the queries)
#   AUDIT_BENCH_OUT   directory for hyperfine's JSON and the result tables
#                     (default: a temporary directory, printed at the end)
#
# Everything is measured in this one run and reported as differences and ratios to the
# baseline measured alongside: never compare the absolute times across runs or machines.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rows="${AUDIT_BENCH_ROWS:-10000000}"
runs="${AUDIT_BENCH_RUNS:-30}"
out="${AUDIT_BENCH_OUT:-$(mktemp -d /tmp/authd-audit-bench.XXXXXX)}"
mkdir -p "$out"

need() {
    command -v "$1" >/dev/null 2>&1 && return
    echo "== installing $1" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y "$1" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$1" >/dev/null; }
    else
        sudo apt-get install -y "$1" >/dev/null 2>&1 || { sudo apt-get update >/dev/null && sudo apt-get install -y "$1" >/dev/null; }
    fi
}
need hyperfine
need sqlite3
need python3

echo "== building (release)" >&2
(cd "$repo" && swift build -c release >&2)
authd="$repo/.build/release/authd"

if [ -n "${AUDIT_BENCH_DB:-}" ]; then
    db="$AUDIT_BENCH_DB"
    cleanup_db=""
else
    dbdir="$(mktemp -d /tmp/authd-audit-db.XXXXXX)"
    db="$dbdir/audit.sqlite"
    cleanup_db="$dbdir"
fi
trap 'if [ -n "$cleanup_db" ]; then rm -rf "$cleanup_db"; fi' EXIT

if [ ! -f "$db" ]; then
    echo "== generating $rows audit rows into $db" >&2
    python3 "$here/generate.py" --authd "$authd" --db "$db" --rows "$rows"
else
    echo "== reusing $db" >&2
fi

# A reused database may predate this binary's migrations: apply them now, untimed by
# hyperfine, so no timed run pays for them (the time is reported: index builds show here).
start_ns=$(date +%s%N)
"$authd" migrate up --db "$db" >/dev/null
echo "migrations applied (if any) in $(( ($(date +%s%N) - start_ns) / 1000000 )) ms" | tee "$out/migrate.txt" >&2

# Parameters come from the data, not the clock, so a reused database gives the same queries:
# --since / --until relative to the newest row, the most active user and address.
read -r total newest < <(sqlite3 -separator ' ' "$db" "SELECT count(*), max(time) FROM audit_log")

# Two scans to compare with: the bare one (every row's hash; the issue's yardstick) and one
# that reads every column verify reads, as bytes (CAST AS BLOB: no UTF-8 decoding).
every_column="count(*), max(id), max(time), sum(count + length(hash)"
for c in event outcome reason username session address user_agent request_id detail; do
    every_column+=" + length(CAST($c AS BLOB))"
done
every_column+=")"
verify_compare=()
if [ -n "${AUDIT_BENCH_VERIFY_BEFORE:-}" ]; then
    verify_compare=(-n "authd audit verify (before)" "$AUDIT_BENCH_VERIFY_BEFORE audit verify --db $db")
fi
echo "== timing audit verify against sqlite3 full scans" >&2
hyperfine -N --warmup 1 --runs "${AUDIT_BENCH_VERIFY_RUNS:-3}" --export-json "$out/verify.json" \
    -n "sqlite3 full scan" "sqlite3 $db 'SELECT count(*), sum(length(hash)) FROM audit_log'" \
    -n "sqlite3 scan of every column" "sqlite3 $db 'SELECT $every_column FROM audit_log'" \
    "${verify_compare[@]}" \
    -n "authd audit verify" "$authd audit verify --db $db" >&2

if [ "${AUDIT_BENCH_ONLY:-}" = verify ]; then
    python3 "$here/report.py" "$total" "$out/verify.json" | tee "$out/results.md"
    echo "raw hyperfine JSON: $out/" >&2
    exit 0
fi

iso() { date -u -d "@$(( $1 / 1000000 ))" +%Y-%m-%dT%H:%M:%SZ; }
since="$(iso $(( newest - 86400 * 1000000 )))"
until="$(iso $(( newest - 30 * 86400 * 1000000 )))"
user="$(sqlite3 "$db" "SELECT username FROM audit_log INDEXED BY audit_by_username WHERE username <> '' GROUP BY username ORDER BY count(*) DESC LIMIT 1")"
address="$(sqlite3 "$db" "SELECT address FROM audit_log INDEXED BY audit_by_address WHERE address <> 'local' GROUP BY address ORDER BY count(*) DESC LIMIT 1")"
echo "rows=$total newest=$(iso "$newest") user=$user address=$address since=$since until=$until" | tee "$out/params.txt" >&2

q="$authd audit --db $db --limit 100 --format json"
names=(baseline no-filter "--user" "--event login" "--outcome failure" "--outcome success"
       "--since newest-24h" "--until newest-30d" "--address"
       "--event login --event logout" "--user --until newest-30d" baseline-again)
commands=(
    "$authd migrate status --db $db"
    "$q"
    "$q --user $user"
    "$q --event login"
    "$q --outcome failure"
    "$q --outcome success"
    "$q --since $since"
    "$q --until $until"
    "$q --address $address"
    "$q --event login --event logout"
    "$q --user $user --until $until"
    "$authd migrate status --db $db"
)
args=()
for i in "${!commands[@]}"; do args+=("--command-name=${names[$i]}" "${commands[$i]}"); done

# Each query must actually work (and return rows) before it is timed.
for i in "${!commands[@]}"; do
    ${commands[$i]} >/dev/null
done

echo "== timing queries ($runs runs each, output discarded like > /dev/null)" >&2
hyperfine -N --warmup 5 --runs "$runs" --export-json "$out/queries.json" "${args[@]}" >&2

# Time windows with no rows in them: a quiet hour (--since after the newest row) and an
# --until before the oldest row. Slow without an index-driven plan, so fewer runs.
after="$(iso $(( newest + 3600 * 1000000 )))"
before_oldest="$(iso $(( $(sqlite3 "$db" "SELECT min(time) FROM audit_log") - 86400 * 1000000 )))"
edge_runs="${AUDIT_BENCH_EDGE_RUNS:-5}"
echo "== timing empty time windows ($edge_runs runs each)" >&2
hyperfine -N --warmup 1 --runs "$edge_runs" --export-json "$out/edge.json" \
    -n baseline "$authd migrate status --db $db" \
    "--command-name=--since newest+1h (no rows)" "$q --since $after" \
    "--command-name=--until oldest-1d (no rows)" "$q --until $before_oldest" \
    -n baseline-again "$authd migrate status --db $db" >&2


# Query plans for the SQL queryAudit builds (Sources/AuthStore/Store/SQLiteAuthStore+AuditQueries.swift):
# time bounds become id bounds found on the time index, and the walking index is named.
to_us() { echo $(( $(date -u -d "$1" +%s) * 1000000 )); }
first_id() { sqlite3 "$db" "SELECT id FROM audit_log INDEXED BY audit_by_time WHERE time >= $1 ORDER BY time, id LIMIT 1"; }
since_id="$(first_id "$(to_us "$since")")"
until_id="$(first_id "$(to_us "$until")")"
cols="id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash"
{
    echo "-- id bound for a time (one per --since/--until)"
    sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT id FROM audit_log INDEXED BY audit_by_time WHERE time >= 0 ORDER BY time, id LIMIT 1"
    for w in "NOT INDEXED" "INDEXED BY audit_by_username WHERE username = '$user'" \
             "INDEXED BY audit_by_event WHERE event IN ('login')" "NOT INDEXED WHERE outcome = 'failure'" \
             "NOT INDEXED WHERE id >= $since_id" "NOT INDEXED WHERE id < $until_id" \
             "INDEXED BY audit_by_address WHERE address = '$address'" \
             "INDEXED BY audit_by_username WHERE username = '$user' AND id < $until_id"; do
        echo "-- $w"
        sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT $cols FROM audit_log $w ORDER BY id DESC LIMIT 100"
    done
    echo "-- --event login --event logout: one walk per event, merged"
    sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT * FROM (SELECT $cols FROM audit_log INDEXED BY audit_by_event WHERE event = 'login' ORDER BY id DESC LIMIT 100) UNION ALL SELECT * FROM (SELECT $cols FROM audit_log INDEXED BY audit_by_event WHERE event = 'logout' ORDER BY id DESC LIMIT 100) ORDER BY id DESC LIMIT 100"
} > "$out/plans.txt"

python3 "$here/report.py" "$total" "$out/verify.json" "$out/queries.json" "$out/edge.json" | tee "$out/results.md"
echo >&2
echo "query plans: $out/plans.txt; raw hyperfine JSON: $out/" >&2
