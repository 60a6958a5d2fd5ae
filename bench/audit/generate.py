#!/usr/bin/env python3
"""Generate an authd database with N audit rows for the audit-query benchmark.

The schema comes from the real binary (`authd migrate up --db FILE` applies the embedded
migrations), so the file is exactly what authd would create. Rows are then inserted with a
valid hash chain, computed as `AuditChain.hash` does (Sources/AuthStore/Store/AuditChain.swift):

    hash_i = SHA-256(hash_{i-1} || for each field: u32 big-endian byte length || UTF-8 bytes)
    fields = id, time (Unix microseconds), event, outcome, reason ('' if none), username,
             session, address, user_agent, request_id
             [, count (decimal), detail -- both, only when count != 1 or detail != '']
    hash_0 = 32 zero bytes (genesis; the generated log has no anchor)

Every generated row has count 1 and an empty detail (the columns' defaults, migration
0004), so its hash has the ten fields only; `row_hash` below is the full rule.

so `authd audit verify --db FILE` passes on the result.

Distributions (deterministic for a given --seed):
  * ~5,000 usernames, Zipf-like (a few very active users, a long tail);
  * ~20,000 client addresses (IPv4 and some IPv6); each user mostly uses a few of "their"
    addresses, failed attempts against unknown users come from anywhere;
  * events: mostly verify / login / logout, some logout_all, session_revoke and admin
    events (those come from the CLI: address "local", user agent "authd-cli");
  * ~10% failures, each with a reason that fits its event;
  * times increasing over the last --days days (default 90) up to --end (default now);
  * user agents from a small realistic set, request ids as 32 hex characters.

Generation is one transaction with journal_mode=OFF / synchronous=OFF; the four audit_log
indexes are dropped during the insert and recreated afterwards with their exact original
SQL (building an index from sorted data is much faster than 10M random-order inserts).
journal_mode is set back to WAL at the end, as authd expects.

Standard library only. Usage:
    python3 bench/audit/generate.py --authd .build/release/authd --db /tmp/audit.sqlite [--rows N]
"""

import argparse
import bisect
import hashlib
import itertools
import os
import random
import sqlite3
import struct
import subprocess
import sys
import time

DAY_US = 86_400 * 1_000_000

# (event, outcome, reason, weight, kind). kind says which fields the real code fills:
#   "session": username + session id (login success, verify/logout with a known session)
#   "user":    username only (login failures, logout_all)
#   "anon":    neither (bad token: the session is unknown)
#   "admin":   username, CLI context
#   "revoke":  username + session id, CLI context
# Failure weights add up to ~0.106.
MIX = [
    ("verify", "success", "", 0.5700, "session"),
    ("verify", "failure", "bad_token", 0.0200, "anon"),
    ("verify", "failure", "expired", 0.0120, "session"),
    ("login", "success", "", 0.1550, "session"),
    ("login", "failure", "bad_password", 0.0450, "user"),
    ("login", "failure", "unknown_user", 0.0120, "stranger"),
    ("login", "failure", "throttled", 0.0080, "user"),
    ("login", "failure", "disabled", 0.0020, "user"),
    ("login", "failure", "malformed", 0.0020, "stranger"),
    ("logout", "success", "", 0.1400, "session"),
    ("logout", "failure", "bad_token", 0.0030, "anon"),
    ("logout", "failure", "expired", 0.0020, "session"),
    ("logout_all", "success", "", 0.0100, "user"),
    ("session_revoke", "success", "", 0.0050, "revoke"),
    ("user_add", "success", "", 0.0040, "admin"),
    ("user_passwd", "success", "", 0.0030, "admin"),
    ("user_disable", "success", "", 0.0010, "admin"),
    ("user_enable", "success", "", 0.0007, "admin"),
    ("user_delete", "success", "", 0.0005, "admin"),
]

USER_AGENTS = [
    "curl/8.5.0", "curl/7.88.1", "python-requests/2.31.0", "python-httpx/0.27.0",
    "Go-http-client/1.1", "Go-http-client/2.0", "okhttp/4.12.0", "axios/1.6.7",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "Java-http-client/21.0.2",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "gitea-auth/1.21", "grafana/10.4.1", "nextcloud-client/3.12.3", "homeassistant/2024.4",
    "prometheus/2.51.0", "",
]

SYLLABLES = ["ka", "lo", "mi", "ra", "to", "ne", "su", "vi", "da", "pe", "zo", "an", "el", "is", "or", "ul",
             "ber", "ton", "li", "ma", "sa", "ki", "ro", "ta"]


def zipf_cum_weights(n, s):
    total = 0.0
    out = []
    for rank in range(1, n + 1):
        total += 1.0 / rank ** s
        out.append(total)
    return out


def make_usernames(rng, n):
    names = set()
    while len(names) < n:
        first = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        style = rng.random()
        if style < 0.4:
            name = first
        elif style < 0.7:
            name = f"{first}.{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}"
        else:
            name = f"{first}{rng.randint(1, 999)}"
        names.add(name)
    names = sorted(names)
    rng.shuffle(names)  # rank (activity) independent of alphabetical order
    return names


def make_addresses(rng, n):
    addresses = set()
    while len(addresses) < n:
        r = rng.random()
        if r < 0.15:
            address = f"2001:db8:{rng.randrange(65536):x}:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}"
        elif r < 0.45:
            address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        elif r < 0.6:
            address = f"192.168.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        else:
            address = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if address != "local":
            addresses.add(address)
    addresses = sorted(addresses)
    rng.shuffle(addresses)
    return addresses


def field_bytes(value):
    data = value.encode("utf-8")
    return struct.pack(">I", len(data)) + data


def row_hash(previous, fields, count=1, detail=""):
    """AuditChain.hash: the ten fields, then count and detail only when either is not the default."""
    if count != 1 or detail:
        fields = list(fields) + [str(count), detail]
    return hashlib.sha256(previous + b"".join(field_bytes(str(f)) for f in fields)).digest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database file to create (must not exist unless --force)")
    parser.add_argument("--authd", default=".build/release/authd", help="authd binary used to create the schema")
    parser.add_argument("--rows", type=int, default=10_000_000, help="audit rows (default 10,000,000)")
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--addresses", type=int, default=20_000)
    parser.add_argument("--days", type=float, default=90.0, help="time span of the rows (default 90)")
    parser.add_argument("--end", type=int, default=None,
                        help="time of the newest row, Unix microseconds (default: now)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--force", action="store_true", help="replace an existing --db file")
    args = parser.parse_args()

    if args.rows < 0:
        parser.error("--rows must be 0 or more")
    for suffix in ("", "-wal", "-shm"):
        path = args.db + suffix
        if os.path.exists(path):
            if not args.force:
                parser.error(f"{path} exists (use --force to replace it)")
            os.remove(path)

    # 1. The schema, from the binary itself (every command but `migrate status` migrates).
    subprocess.run([args.authd, "migrate", "up", "--db", args.db], check=True, stdout=subprocess.DEVNULL)

    rng = random.Random(args.seed)
    users = make_usernames(rng, args.users)
    user_cum = zipf_cum_weights(len(users), 1.0)
    addresses = make_addresses(rng, args.addresses)
    address_cum = zipf_cum_weights(len(addresses), 0.6)
    # Each user mostly comes from a few addresses of their own, with one or two user agents.
    home = [[addresses[bisect.bisect(address_cum, rng.random() * address_cum[-1])] for _ in range(rng.randint(1, 4))]
            for _ in users]
    agents = [[rng.choice(USER_AGENTS[:-1]) for _ in range(rng.randint(1, 2))] for _ in users]
    mix_cum = list(itertools.accumulate(m[3] for m in MIX))

    end = args.end if args.end is not None else time.time_ns() // 1000
    span = int(args.days * DAY_US)
    start = end - span
    step = span / max(args.rows, 1)  # mean gap between rows, microseconds

    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -1000000")  # 1 GB, for the index builds
    db.execute("PRAGMA temp_store = MEMORY")
    if db.execute("SELECT count(*) FROM audit_log").fetchone()[0] or db.execute("SELECT count(*) FROM audit_anchor").fetchone()[0]:
        sys.exit("audit_log is not empty after migrating: refusing to continue")
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL"
    ).fetchall()

    db.execute("BEGIN")
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')

    insert = ("INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent, "
              "request_id, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    previous = bytes(32)
    t = start
    began = time.monotonic()
    random_ = rng.random
    getrandbits = rng.getrandbits
    sha256 = hashlib.sha256
    n_users = len(users)
    n_agents = len(USER_AGENTS)
    n_syllables = len(SYLLABLES)
    mix_total = mix_cum[-1]
    user_total = user_cum[-1]
    address_total = address_cum[-1]
    n_addresses = len(addresses)
    bisect_ = bisect.bisect
    fb = field_bytes
    # Length-prefixed encodings of the repeated values, computed once.
    mix_fields = [fb(event) + fb(outcome) + fb(reason) for event, outcome, reason, _, _ in MIX]
    user_fields = {name: fb(name) for name in users}
    address_fields = {address: fb(address) for address in addresses}
    address_fields["local"] = fb("local")
    agent_fields = {agent: fb(agent) for agent in USER_AGENTS + ["authd-cli"]}
    empty = fb("")
    prefix16 = struct.pack(">I", 16)
    prefix32 = struct.pack(">I", 32)
    row_id = 0
    while row_id < args.rows:
        batch = []
        append = batch.append
        for row_id in range(row_id + 1, min(row_id + args.chunk, args.rows) + 1):
            # Times strictly increase, one row at a random point of each step-wide slot, so
            # the newest row is at most `end` (never in the future) and the gaps average `step`.
            slot = start + int((row_id - 1 + random_()) * step)
            t = slot if slot > t else t + 1
            m = bisect_(mix_cum, random_() * mix_total)
            event, outcome, reason, _, kind = MIX[m]
            u = bisect_(user_cum, random_() * user_total)
            if u >= n_users:
                u = n_users - 1
            username = users[u]
            session = ""
            if kind == "admin" or kind == "revoke":
                address, agent, request_id = "local", "authd-cli", ""
                if kind == "revoke":
                    session = "%016x" % getrandbits(64)
            else:
                if kind == "stranger" or kind == "anon" or random_() < 0.05:
                    address = addresses[bisect_(address_cum, random_() * address_total) % n_addresses]
                    agent = USER_AGENTS[int(random_() * n_agents)]
                else:
                    h = home[u]
                    address = h[int(random_() * len(h))]
                    a = agents[u]
                    agent = a[int(random_() * len(a))]
                request_id = "%032x" % getrandbits(128)
                if kind == "session":
                    session = "%016x" % getrandbits(64)
                elif kind == "anon":
                    username = ""
                elif kind == "stranger":
                    username = (SYLLABLES[int(random_() * n_syllables)] + SYLLABLES[int(random_() * n_syllables)]
                                + SYLLABLES[int(random_() * n_syllables)])
            id_text = str(row_id).encode()
            time_text = str(t).encode()
            payload = b"".join((
                previous, len(id_text).to_bytes(4, "big"), id_text, len(time_text).to_bytes(4, "big"), time_text,
                mix_fields[m],
                user_fields.get(username) or fb(username),
                prefix16 + session.encode() if session else empty,
                address_fields[address],
                agent_fields[agent],
                prefix32 + request_id.encode() if request_id else empty,
            ))
            before = previous
            previous = sha256(payload).digest()
            if row_id == 1:
                # The inlined encoding above must stay the general rule's (count 1, no detail).
                assert previous == row_hash(before, (row_id, t, event, outcome, reason, username, session, address,
                                                     agent, request_id))
            append((row_id, t, event, outcome, reason, username, session, address, agent, request_id, previous))
        db.executemany(insert, batch)
        elapsed = time.monotonic() - began
        rate = row_id / elapsed if elapsed > 0 else 0
        eta = (args.rows - row_id) / rate if rate else 0
        print(f"\rinserted {row_id:,}/{args.rows:,} rows ({rate:,.0f} rows/s, ~{eta:,.0f}s left)",
              end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    for name, sql in indexes:
        began_index = time.monotonic()
        db.execute(sql)
        print(f"rebuilt index {name} in {time.monotonic() - began_index:.1f}s", file=sys.stderr, flush=True)
    db.execute("COMMIT")

    # AUTOINCREMENT: explicit ids raise sqlite_sequence to the largest one; check it.
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    if args.rows and (seq is None or seq[0] != args.rows):
        sys.exit(f"sqlite_sequence for audit_log is {seq}, expected {args.rows}")

    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        sys.exit(f"could not restore journal_mode=WAL (got {mode})")
    db.close()
    os.chmod(args.db, 0o600)
    print(f"done: {args.rows:,} rows in {time.monotonic() - began:.0f}s; head hash {previous.hex()}; "
          f"newest row time {t} (Unix microseconds)", file=sys.stderr)


if __name__ == "__main__":
    main()
