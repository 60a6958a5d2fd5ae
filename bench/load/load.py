#!/usr/bin/env python3
"""Load benchmark driver for `authd serve` (issue 6). Run through bench/load/run.sh.

Everything is measured in this one run and reported as ratios to a baseline measured
alongside it on the same machine: raw OpenSSL PBKDF2 (through Python's hashlib, which
calls OpenSSL's PKCS5_PBKDF2_HMAC) for logins, and a route of the same server that touches
no database (a 404) for logout and verify.

Sessions are seeded straight into SQLite (a login costs 600,000 PBKDF2 iterations; 100,000
of them would take hours): a row per session holding the SHA-256 of a random token, as
authd's own login writes it. The login user is created with `authd user add` at the
default cost.
"""

import base64
import hashlib
import multiprocessing
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ITERATIONS = 600_000
NOW_US = int(time.time() * 1_000_000)
DAY_US = 86_400 * 1_000_000

QUICK = os.environ.get("LOAD_QUICK") == "1"
SECONDS = int(os.environ.get("LOAD_SECONDS", "5" if QUICK else "10"))
LOGIN_SECONDS = int(os.environ.get("LOAD_LOGIN_SECONDS", "10" if QUICK else "20"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "64"))
THREADS = 2


def log(message):
    print(f"== {message}", file=sys.stderr, flush=True)


# MARK: seeding

def seed_sessions(db, users, per_user, prefix):
    """Inserts `users` users with `per_user` sessions each; returns the tokens, shuffled
    so that consecutive requests hit different users."""
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA synchronous=OFF")
    phc = "$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
    tokens = []
    with connection:
        for u in range(users):
            cursor = connection.execute(
                "INSERT INTO users (username, password_hash, disabled, created_at, updated_at) VALUES (?, ?, 0, ?, ?)",
                (f"{prefix}{u}", phc, NOW_US, NOW_US))
            user_id = cursor.lastrowid
            rows = []
            for _ in range(per_user):
                token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
                rows.append((secrets.token_hex(8), hashlib.sha256(token.encode()).digest(), user_id, NOW_US,
                             NOW_US + DAY_US, NOW_US, "203.0.113.9", "bench"))
                tokens.append(token)
            connection.executemany(
                "INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, address, user_agent)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.close()
    secrets.SystemRandom().shuffle(tokens)
    return tokens


def write_tokens(directory, name, tokens):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("\n".join(tokens) + "\n")
    return path


# MARK: the server

class Server:
    def __init__(self, authd, db, directory):
        self.log_path = os.path.join(directory, "serve.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [authd, "serve", "--db", db, "--host", "127.0.0.1", "--port", "0", "--log-level", "notice",
             "--throttle-user-limit", "1000000000", "--throttle-address-limit", "1000000000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # The port comes from the server's own "listening on" line (printed at notice).
        for line in self.process.stderr:
            self.log.write(line)
            match = re.search(r"listening on 127\.0\.0\.1:(\d+),", line)
            if match:
                self.port = int(match.group(1))
                break
        else:
            raise SystemExit(f"authd serve did not start; see {self.log_path}")
        self.url = f"http://127.0.0.1:{self.port}"
        # Keep draining stderr so the server never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stderr:
            self.log.write(line)

    def peak_rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


# MARK: load

def wrk(url, script, args, connections=CONNECTIONS, seconds=SECONDS, headers=(), threads=THREADS):
    """Runs wrk; returns (ok, other, seconds, p50_ms, p99_ms) from the script's RESULT line."""
    command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", os.path.join(HERE, script)]
    for header in headers:
        command += ["-H", header]
    command += [url, "--"] + [str(a) for a in args]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = re.search(r"RESULT ok=(\d+) other=(\d+) seconds=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+)", output)
    if not match:
        raise SystemExit(f"wrk printed no RESULT line:\n{output}")
    ok, other = int(match.group(1)), int(match.group(2))
    return ok, other, float(match.group(3)), float(match.group(4)), float(match.group(5))


def tokens_run(server, path, tokens_file, method, mode, connections=CONNECTIONS, seconds=SECONDS):
    threads = min(THREADS, connections)
    return wrk(server.url, "tokens.lua", [tokens_file, method, path, threads, mode],
               connections=connections, seconds=seconds, threads=threads)


def pbkdf2_worker(deadline, queue):
    count = 0
    while time.monotonic() < deadline:
        hashlib.pbkdf2_hmac("sha256", b"correct horse battery staple", b"0123456789abcdef", ITERATIONS, 32)
        count += 1
    queue.put(count)


def raw_pbkdf2_rate(seconds):
    """PBKDF2-HMAC-SHA256 at ITERATIONS through OpenSSL, one process per core."""
    cores = os.cpu_count() or 2
    queue = multiprocessing.Queue()
    started = time.monotonic()
    deadline = started + seconds
    workers = [multiprocessing.Process(target=pbkdf2_worker, args=(deadline, queue)) for _ in range(cores)]
    for worker in workers:
        worker.start()
    total = sum(queue.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total / (time.monotonic() - started)


# MARK: the run

def main():
    authd = sys.argv[1]
    directory = tempfile.mkdtemp(prefix="authd-load.")
    db = os.path.join(directory, "load.sqlite")
    subprocess.run([authd, "user", "add", "bench", "--password-stdin", "--db", db], input="bench password\n",
                   check=True, capture_output=True, text=True, env={**os.environ, "AUTHD_PBKDF2_ITERATIONS": str(ITERATIONS)})
    sqlite3.connect(db).execute("PRAGMA journal_mode=WAL").close()

    log("seeding sessions")
    main_tokens = seed_sessions(db, 2000, 10, "u")                 # 2,000 users x 10 sessions
    scaling = {c: seed_sessions(db, 2000, 10, f"c{c}-") for c in (1, 4, 16, 64)}
    heavy_tokens = seed_sessions(db, 2, 10_000, "heavy")           # 2 users x 10,000 sessions
    verify_tokens = seed_sessions(db, 1000, 10, "v")
    files = {
        "main": write_tokens(directory, "main.txt", main_tokens),
        "heavy": write_tokens(directory, "heavy.txt", heavy_tokens),
        "verify": write_tokens(directory, "verify.txt", verify_tokens),
    }
    for c, tokens in scaling.items():
        files[f"c{c}"] = write_tokens(directory, f"c{c}.txt", tokens)

    rows = []
    server = Server(authd, db, directory)
    try:
        log(f"404 baseline ({CONNECTIONS} connections, {SECONDS}s)")
        ok, other, secs, _, _ = wrk(server.url, "plain.lua", ["GET"], headers=())
        # The 404 route: wrk's URL path is "/"; nothing is routed there.
        baseline = (ok + other) / secs

        log("durable logout: 2,000 users x 10 sessions, each request a fresh token")
        ok, other, secs, _, _ = tokens_run(server, "/directlink/v1/auth/logout", files["main"], "POST", "once")
        logout = ok / secs
        rows.append(("durable logout req/s ÷ 404 req/s", f"{logout:,.0f} / {baseline:,.0f}", logout / baseline, "≥ 0.4"))

        log("verify: 10,000 live sessions, round-robin")
        ok, other, secs, _, _ = tokens_run(server, "/directlink/v1/auth/verify", files["verify"], "GET", "cycle")
        if other:
            raise SystemExit(f"verify answered {other} non-200s")
        verify = ok / secs
        rows.append(("verify req/s ÷ 404 req/s", f"{verify:,.0f} / {baseline:,.0f}", verify / baseline, "≥ 0.6"))

        log(f"raw PBKDF2 at {ITERATIONS:,} iterations, {os.cpu_count()} processes, {LOGIN_SECONDS}s")
        raw = raw_pbkdf2_rate(LOGIN_SECONDS)
        log(f"login at {ITERATIONS:,} iterations, 8 connections, {LOGIN_SECONDS}s")
        basic = "Authorization: Basic " + base64.b64encode(b"bench:bench password").decode()
        ok, other, secs, _, _ = wrk(server.url + "/directlink/v1/auth/login", "plain.lua", ["POST"], connections=8,
                                    seconds=LOGIN_SECONDS, headers=[basic])
        if other:
            raise SystemExit(f"login answered {other} non-200s")
        login = ok / secs
        rows.append((f"login req/s ÷ raw PBKDF2/s ({ITERATIONS:,} it.)", f"{login:.2f} / {raw:.2f}", login / raw, "≥ 0.97"))

        log("verify latency while a login flood saturates PBKDF2")
        flood = subprocess.Popen(
            ["wrk", "-t", "1", "-c", "16", "-d", f"{SECONDS + 4}s", "--timeout", "30s", "-s",
             os.path.join(HERE, "plain.lua"), "-H", basic, server.url + "/directlink/v1/auth/login", "--", "POST"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)  # let the flood fill the hashing queue before measuring
        ok, other, secs, p50, p99 = tokens_run(server, "/directlink/v1/auth/verify", files["verify"], "GET", "cycle",
                                               connections=4)
        flood.wait()
        rows.append(("verify p99 under a login flood (ms)", f"p50 {p50:.2f}, {ok / secs:,.0f} req/s", p99, "< 10 ms"))

        log("logout scaling: 1 to 64 connections")
        scaling_rates = {}
        for c in (1, 4, 16, 64):
            ok, other, secs, _, _ = tokens_run(server, "/directlink/v1/auth/logout", files[f"c{c}"], "POST", "once",
                                               connections=c)
            scaling_rates[c] = ok / secs
        for c in (1, 4, 16):
            rows.append((f"logout req/s, {c} conn. ÷ 64 conn.", f"{scaling_rates[c]:,.0f} / {scaling_rates[64]:,.0f}",
                         scaling_rates[c] / scaling_rates[64], "(scaling)"))

        log("logout with 10,000 sessions per user")
        ok, other, secs, _, _ = tokens_run(server, "/directlink/v1/auth/logout", files["heavy"], "POST", "once")
        heavy = ok / secs
        # Compared with the 64-connection scaling run just before it (same connections, a
        # database of the same size): the first logout run met a fresher WAL and database.
        rows.append(("logout req/s, 10,000 ÷ 10 sessions per user", f"{heavy:,.0f} / {scaling_rates[64]:,.0f}",
                     heavy / scaling_rates[64], "no worse (≈ 1)"))
    finally:
        server.stop()

    log("peak RSS with 100,000 live sessions (a fresh server, verify across all of them)")
    db2 = os.path.join(directory, "rss.sqlite")
    subprocess.run([authd, "user", "list", "--db", db2], check=True, capture_output=True)  # applies migrations
    sqlite3.connect(db2).execute("PRAGMA journal_mode=WAL").close()
    rss_tokens = seed_sessions(db2, 10_000, 10, "r")
    rss_file = write_tokens(directory, "rss.txt", rss_tokens)
    server = Server(authd, db2, directory)
    try:
        tokens_run(server, "/directlink/v1/auth/verify", rss_file, "GET", "cycle", seconds=SECONDS)
        sessions = sqlite3.connect(db2).execute("SELECT count(*) FROM sessions").fetchone()[0]
        rss_mib = server.peak_rss_kib() / 1024
    finally:
        server.stop()
    rows.append((f"peak RSS (VmHWM) with {sessions:,} live sessions (MiB)", "after verify over all", rss_mib, "< 64"))

    print()
    print(f"| measure | values | ratio / result | goal |")
    print(f"|---|---:|---:|---|")
    for name, values, ratio, goal in rows:
        print(f"| {name} | {values} | {ratio:.3f} | {goal} |")
    print()
    print(f"Run: {CONNECTIONS} connections, {THREADS} wrk threads, {SECONDS}s per logout/verify run, "
          f"{LOGIN_SECONDS}s for login and raw PBKDF2; `nproc` = {os.cpu_count()}; "
          f"load average at the end: {os.getloadavg()[0]:.2f}. Working files: {directory}")


if __name__ == "__main__":
    main()
