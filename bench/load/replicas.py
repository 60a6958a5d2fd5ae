#!/usr/bin/env python3
"""PostgreSQL mode of the load benchmark: durable logout and verify on SQLite, on one
authd replica on PostgreSQL, and on two replicas sharing that database, all in one run on
one machine. Run through bench/load/postgres.sh.

Every figure is a ratio within this run: PostgreSQL against SQLite (same binary, same
sessions, same wrk), two replicas against one (the mean of one-replica runs just before
and just after them). PostgreSQL runs with its default durability
(fsync and synchronous_commit on), as SQLite runs with synchronous=FULL: in both, a 200 to
a logout means the session's end and its audit row are on disk.
"""
import hashlib
import os
import secrets
import base64
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (the SQLite benchmark's seeding, server and wrk helpers)

USERS = int(os.environ.get("LOAD_USERS", "6000"))
PER_USER = int(os.environ.get("LOAD_SESSIONS_PER_USER", "10"))
PORT = int(os.environ.get("LOAD_POSTGRES_PORT", "55440"))
PHC = "$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"


def start_postgres(directory):
    """A cluster with PostgreSQL's default durability, as the postgres user."""
    bindir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    bindir = f"/usr/lib/postgresql/{bindir}/bin"
    os.makedirs(directory)
    shutil.chown(directory, "postgres")
    run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(run_as + [f"{bindir}/initdb", "-D", f"{directory}/data", "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run(run_as + [f"{bindir}/pg_ctl", "-D", f"{directory}/data", "-l", f"{directory}/server.log", "-w",
                             "-o", f"-k {directory} -p {PORT} -c listen_addresses=127.0.0.1 -c max_connections=200",
                             "start"], check=True, capture_output=True)
    return lambda: subprocess.run(run_as + [f"{bindir}/pg_ctl", "-D", f"{directory}/data", "-m", "fast", "-w",
                                            "stop"], capture_output=True)


def psql(url, script):
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1"], input=script, text=True, check=True,
                   capture_output=True)


def seed_postgres(url, directory, users_count, prefix):
    """`users_count` users with PER_USER sessions each, as load.seed_sessions does for SQLite."""
    now = load.now_us()
    users_csv = os.path.join(directory, f"{prefix}users.csv")
    sessions_csv = os.path.join(directory, f"{prefix}sessions.csv")
    tokens = []
    with open(users_csv, "w") as users, open(sessions_csv, "w") as sessions:
        for u in range(users_count):
            users.write(f"{prefix}{u},{PHC},false,{now},{now}\n")
            for _ in range(PER_USER):
                token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
                digest = hashlib.sha256(token.encode()).hexdigest()
                sessions.write(f"{secrets.token_hex(8)},{digest},{prefix}{u}\n")
                tokens.append(token)
    os.chmod(directory, 0o755)
    for path in (users_csv, sessions_csv):
        os.chmod(path, 0o644)
    psql(url, f"""
        \\copy users (username, password_hash, disabled, created_at, updated_at) FROM '{users_csv}' CSV
        CREATE TEMP TABLE seed (id text, token_hash text, username text);
        \\copy seed FROM '{sessions_csv}' CSV
        INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, address, user_agent)
        SELECT s.id, decode(s.token_hash, 'hex'), u.id, {now}, {now + load.DAY_US}, {now}, '203.0.113.9', 'bench'
        FROM seed s JOIN users u ON u.username = s.username;
        ANALYZE;
    """)
    secrets.SystemRandom().shuffle(tokens)
    return tokens


def touch_postgres(url, prefix):
    psql(url, f"UPDATE sessions SET last_seen_at = {load.now_us()} WHERE user_id IN "
              f"(SELECT id FROM users WHERE username LIKE '{prefix}%');")


def throughput(servers, path, tokens, method, mode):
    """Requests/s of 200s over `servers` at once, from one wrk: the same threads and
    connections whatever the number of servers, thread N sending to server N mod count with
    its own slice of the tokens. The load generator's share of the two cores is then the
    same in the one- and two-replica runs."""
    if servers[0].db.startswith("postgres://"):
        # Start from a clean checkpoint, so that the seeding's or the previous run's dirty
        # buffers are not written out in the middle of this one.
        psql(servers[0].db, "CHECKPOINT")
    ports = ",".join(str(s.port) for s in servers)
    threads = max(load.THREADS, len(servers))
    before = [s.requests_answered() for s in servers]
    batches_before = [s.batch_counters() for s in servers]
    ok, _, seconds, _, _ = load.wrk(servers[0].url, "tokens.lua", [tokens, method, path, threads, mode],
                                    threads=threads, env={"BENCH_PORTS": ports})
    answered = [s.requests_answered() - b for s, b in zip(servers, before)]
    batches_after = [s.batch_counters() for s in servers]
    writes, transactions = (sum(after[i] - b[i] for after, b in zip(batches_after, batches_before)) for i in (0, 1))
    if transactions:
        load.log(f"{path}: {writes / transactions:.1f} writes per transaction")
    # Each server must have had its share: a wrk that ignored BENCH_PORTS would send
    # everything to the first one and pass one replica off as two.
    if min(answered) < sum(answered) / (2 * len(servers)):
        raise SystemExit(f"uneven load over the servers: {answered} requests answered")
    return ok / seconds


def main():
    authd = sys.argv[1]
    directory = tempfile.mkdtemp(prefix="authd-load-pg-")
    os.chmod(directory, 0o755)
    logout = "/directlink/v1/auth/logout"
    verify = "/directlink/v1/auth/verify"
    results = {}
    stop_postgres = start_postgres(os.path.join(directory, "pg"))
    try:
        url = f"postgres://postgres@127.0.0.1:{PORT}/postgres"
        sqlite_db = os.path.join(directory, "load.sqlite")
        subprocess.run([authd, "migrate", "up", "--db", sqlite_db], check=True, capture_output=True)
        subprocess.run([authd, "migrate", "up", "--db", url], check=True, capture_output=True)
        load.log(f"seeding 4 groups of {USERS // 3} users x {PER_USER} sessions in each database")
        groups = {"logout1": {}, "logout2": {}, "logout3": {}, "verify": {}}
        for prefix in groups:
            groups[prefix]["sqlite"] = load.seed_sessions(sqlite_db, USERS // 3, PER_USER, prefix)
            groups[prefix]["postgres"] = seed_postgres(url, directory, USERS // 3, prefix)

        def tokens_file(tokens):
            return load.write_tokens(directory, f"t{secrets.token_hex(4)}", tokens)

        load.log("SQLite: one server")
        os.makedirs(os.path.join(directory, "s"))
        server = load.Server(authd, sqlite_db, os.path.join(directory, "s"))
        try:
            results["sqlite logout"] = throughput([server], logout, tokens_file(groups["logout1"]["sqlite"]), "POST",
                                                  "once")
            load.touch_sessions(sqlite_db, "verify")
            results["sqlite verify"] = throughput([server], verify, tokens_file(groups["verify"]["sqlite"]), "GET",
                                                  "cycle")
        finally:
            server.stop()

        load.log("PostgreSQL: one replica")
        os.makedirs(os.path.join(directory, "a"))
        os.makedirs(os.path.join(directory, "b"))
        a = load.Server(authd, url, os.path.join(directory, "a"))
        try:
            results["postgres logout, 1 replica"] = throughput([a], logout, tokens_file(groups["logout1"]["postgres"]),
                                                               "POST", "once")
            touch_postgres(url, "verify")
            results["postgres verify, 1 replica"] = throughput([a], verify, tokens_file(groups["verify"]["postgres"]),
                                                               "GET", "cycle")
            load.log("PostgreSQL: two replicas")
            b = load.Server(authd, url, os.path.join(directory, "b"))
            try:
                results["postgres logout, 2 replicas"] = throughput(
                    [a, b], logout, tokens_file(groups["logout2"]["postgres"]), "POST", "once")
                touch_postgres(url, "verify")
                results["postgres verify, 2 replicas"] = throughput(
                    [a, b], verify, tokens_file(groups["verify"]["postgres"]), "GET", "cycle")
            finally:
                b.stop()
            # One replica again, so that the two-replica runs are compared with the mean of
            # one-replica runs on both sides of them: the machine drifts within a run.
            load.log("PostgreSQL: one replica again")
            results["postgres logout, 1 replica, after"] = throughput(
                [a], logout, tokens_file(groups["logout3"]["postgres"]), "POST", "once")
            touch_postgres(url, "verify")
            results["postgres verify, 1 replica, after"] = throughput(
                [a], verify, tokens_file(groups["verify"]["postgres"]), "GET", "cycle")
        finally:
            a.stop()
    finally:
        stop_postgres()
        if os.environ.get("LOAD_KEEP") != "1":
            shutil.rmtree(directory, ignore_errors=True)
        else:
            load.log(f"kept {directory}")

    print(f"Machine: {load.machine()}; {load.CONNECTIONS} connections, {load.SECONDS} s per run; "
          f"{USERS} users x {PER_USER} sessions per database")
    print()
    print("| run | requests/s |")
    print("|---|---:|")
    for name, value in results.items():
        print(f"| {name} | {value:,.0f} |")
    print()
    print("| ratio | measured | goal |")
    print("|---|---:|---:|")
    def one_replica(route):
        return (results[f"postgres {route}, 1 replica"] + results[f"postgres {route}, 1 replica, after"]) / 2

    ratios = [
        ("durable logout, PostgreSQL / SQLite", results["postgres logout, 1 replica"] / results["sqlite logout"], 0.5),
        ("verify, PostgreSQL / SQLite", results["postgres verify, 1 replica"] / results["sqlite verify"], 0.4),
        ("logout, two replicas / one", results["postgres logout, 2 replicas"] / one_replica("logout"), 0.9),
        ("verify, two replicas / one", results["postgres verify, 2 replicas"] / one_replica("verify"), 0.9),
    ]
    for name, value, goal in ratios:
        print(f"| {name} | {value:.2f} | ≥ {goal} |")


if __name__ == "__main__":
    main()
