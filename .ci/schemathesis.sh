#!/usr/bin/env bash
# Usage: .ci/schemathesis.sh
# Checks the running server against docs/openapi.yaml with schemathesis: starts the
# authd that `swift test` built (or $AUTHD_BIN) on a temporary database with one user,
# then runs schemathesis twice with a fixed seed and a bounded number of examples:
#
#  1. every operation, with the right password for Basic: examples, coverage, fuzzing and
#     stateful tests that follow the description's links (login's bearer into verify and
#     logout), checking status codes, content types, body schemas, headers, and the 405
#     with Allow for methods a path does not list;
#  2. login with a wrong password, so the 401 and then the throttle's 429 with
#     Retry-After are checked against the description too (after run 1, so its failures
#     cannot throttle run 1's logins).
#
# Two of schemathesis's checks are left out on purpose: `ignored_auth` and
# `missing_required_header` expect 401 for a request without credentials, while the API
# answers a login or logout without `Authorization` 400, as a malformed request.
#
# Run 1 warns that verify answered only 401 outside the stateful phase: it has no token
# there; the stateful phase takes one from each login and gets verify's 200s.
#
# schemathesis is installed from PyPI, at the version pinned below, into a virtual
# environment under .build/ (once). The server is stopped whatever happens. 20 s to a
# minute on two cores, depending on their load.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

version=4.32.5
seed=20261201
examples=50
venv="$repo/.build/schemathesis-venv"

if [ "$("$venv/bin/st" --version 2>/dev/null || true)" != "st, version $version" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

authd="${AUTHD_BIN:-$(swift build --show-bin-path)/authd}"
[ -x "$authd" ] || { echo "no authd binary at $authd: run swift build first" >&2; exit 2; }

work="$(mktemp -d)"
server=""
stop() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Low PBKDF2 cost: the run is about the API's shape, not the hashing cost.
db="$work/authd.sqlite"
password="schemathesis-password"
printf '%s\n' "$password" | "$authd" user add fuzz --db "$db" --pbkdf2-iterations 1000 --password-stdin

# Port 0: the kernel picks a free one, and the server logs it (at notice).
"$authd" serve --db "$db" --port 0 --pbkdf2-iterations 1000 --metrics-on-api-port \
    --logout-url https://example.com/bye --log-level notice > "$work/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 300); do
    port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$work/server.log")"
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "authd serve did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
url="http://127.0.0.1:$port"

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
checks="$checks,response_headers_conformance,unsupported_method,allow_header_conformance"

# One schemathesis run, given the text of its config (the Basic credentials) and more
# arguments. It runs in the temporary directory, where it leaves its cache (.schemathesis/).
run() {
    printf '%s\n' "$1" > "$work/schemathesis.toml"
    shift
    (cd "$work" && "$venv/bin/st" --no-color --config-file schemathesis.toml run "$repo/docs/openapi.yaml" \
        --url "$url" --checks "$checks" --seed "$seed" --generation-database none "$@")
}

status=0
echo "== schemathesis $version: every operation, stateful links ($url)"
run "$(printf '[auth.openapi.basicAuth]\nusername = "fuzz"\npassword = "%s"' "$password")" \
    --max-examples "$examples" || status=1
echo "== schemathesis $version: login with a wrong password (401, then 429)"
run "$(printf '[auth.openapi.basicAuth]\nusername = "fuzz"\npassword = "wrong"')" \
    --include-operation-id login --phases fuzzing --max-examples 20 || status=1

if [ "$status" -ne 0 ]; then
    echo "== server log" >&2
    tail -50 "$work/server.log" >&2
fi
exit "$status"
