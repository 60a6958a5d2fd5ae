#!/usr/bin/env bash
# Equal-cost login failures (docs/api.md): an unknown user, a wrong password and a disabled
# user must take the same time within noise, also when a stored hash has another cost than
# the configured one, so timing does not reveal which names exist or which accounts are
# disabled.
#
# Usage: bench/equal-cost/run.sh [N]      (N attempts of each kind, default 40; or env N)
#        AUTHD=/path/to/authd COST=60000 bench/equal-cost/run.sh
#
# Uses .build/debug/authd if it exists (else `swift build --product authd`, minutes).
# A debug build is fine for this question: the cost of a login is PBKDF2-HMAC-SHA256
# computed by OpenSSL (same code in debug and release), so the Swift build mode adds only
# a small constant and barely moves the ratios.
#
# The server runs at COST iterations (default 60,000, a tenth of the product default, so
# that a user stored at 10× the cost takes what a default login takes). The temp database
# holds alice (enabled) and dora (disabled) at COST, dear at 10 × COST and cheap at
# COST / 10, all with password "pw", plus two users imported with `authd user import`:
# bcrypt10 (bcrypt cost 10, made by htpasswd) and argon (argon2id m=65536,t=3,p=4,
# Authelia's default, made by the argon2 CLI). Throttling is effectively off. N sequential
# POST /directlink/v1/auth/login of each kind are sent interleaved round-robin (unknown
# user, wrong password for alice, right password for disabled dora, wrong password for
# dear, cheap, bcrypt10 and argon) so drift on a busy machine hits all kinds alike. Every
# check spends the iterations of the costliest stored hash (dear's) plus one bcrypt check
# and one argon2id check (the user's own, or a dummy against the costliest stored hash of
# that scheme), so all seven medians should be within 5 %.
#
# Needs htpasswd (apache2-utils) and argon2 (argon2); installs them with apt-get when missing.
set -euo pipefail
n="${1:-${N:-40}}"
cost="${COST:-60000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
authd="${AUTHD:-$root/.build/debug/authd}"
if [ ! -x "$authd" ]; then
    echo "building authd (debug)…" >&2
    (cd "$root" && swift build --product authd) >&2
fi
command -v htpasswd >/dev/null && command -v argon2 >/dev/null \
    || (apt-get update && apt-get install -y apache2-utils argon2) >&2
work="$(mktemp -d)"
db="$work/authd.sqlite"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

add() { printf 'pw\n' | "$authd" user add "$1" --password-stdin --pbkdf2-iterations "$2" --db "$db" >/dev/null; }
add alice "$cost"
add dora "$cost"
add dear $((cost * 10))
add cheap $((cost / 10))
"$authd" user disable dora --db "$db" >/dev/null
{
    printf 'bcrypt10:%s\n' "$(htpasswd -nbB -C 10 x pw | cut -d: -f2)"
    printf 'argon:%s\n' "$(printf pw | argon2 "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" -id -t 3 -k 65536 -p 4 -e)"
} >"$work/import.htpasswd"
"$authd" user import "$work/import.htpasswd" --db "$db" >/dev/null

"$authd" serve --db "$db" --host 127.0.0.1 --port 0 --pbkdf2-iterations "$cost" \
    --throttle-user-limit 100000 --throttle-address-limit 100000 --log-level notice \
    >"$work/serve.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 200); do
    port="$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$work/serve.log" | head -1 | sed 's/.*://' || true)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "server did not report its port" >&2; cat "$work/serve.log" >&2; exit 1; }

echo "authd: $authd"
echo "port $port, cost $cost, $n attempts of each kind, interleaved round-robin, sequential"
python3 - "$port" "$n" <<'PY'
import base64, http.client, statistics, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
kinds = [  # (label, user, password, expected status)
    ("unknown user",        "nobody", "pw",    401),
    ("wrong password",      "alice",  "wrong", 401),
    ("disabled user",       "dora",   "pw",    401),
    ("wrong pw, 10x cost",  "dear",   "wrong", 401),
    ("wrong pw, 0.1x cost", "cheap",  "wrong", 401),
    ("wrong pw, bcrypt-10", "bcrypt10", "wrong", 401),
    ("wrong pw, argon2id",  "argon",  "wrong", 401),
]
def headers(user, pw):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
def attempt(user, pw):
    h = headers(user, pw)
    t0 = time.perf_counter()
    conn.request("POST", "/directlink/v1/auth/login", headers=h)
    r = conn.getresponse(); r.read()
    return time.perf_counter() - t0, r.status
# Warm-up (first hashes, connection, page cache). Only wrong passwords: a successful login
# of dear or cheap would rehash them to the configured cost and end the experiment.
for user, pw in (("nobody", "pw"), ("alice", "x"), ("dora", "pw"), ("dear", "x"), ("cheap", "x"),
                 ("bcrypt10", "x"), ("argon", "x")):
    attempt(user, pw)
times = {k[0]: [] for k in kinds}
statuses = {k[0]: {} for k in kinds}
for i in range(n):
    for label, user, pw, _ in kinds:
        dt, st = attempt(user, pw)
        times[label].append(dt)
        statuses[label][st] = statuses[label].get(st, 0) + 1
def pct(xs, p):
    xs = sorted(xs); k = (len(xs) - 1) * p; f = int(k); c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)
ref_med = statistics.median(times["wrong password"]); ref_p90 = pct(times["wrong password"], 0.9)
print()
print("| kind | n | statuses | median ms | p90 ms | median / wrong-pw | p90 / wrong-pw |")
print("|---|---:|---|---:|---:|---:|---:|")
for label, _, _, expected in kinds:
    xs = times[label]; med = statistics.median(xs); p90 = pct(xs, 0.9)
    st = ", ".join(f"{s}×{c}" for s, c in sorted(statuses[label].items()))
    print(f"| {label} | {len(xs)} | {st} | {med*1000:.1f} | {p90*1000:.1f} | {med/ref_med:.3f} | {p90/ref_p90:.3f} |")
bad = [l for l, _, _, e in kinds if set(statuses[l]) != {e}]
if bad:
    print(f"\nunexpected statuses for: {', '.join(bad)}", file=sys.stderr); sys.exit(1)
PY
