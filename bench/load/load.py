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
import json
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
import shutil
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ITERATIONS = 600_000  # authd's default cost
DAY_US = 86_400 * 1_000_000
NOT_FOUND_PATH = "/bench/no-such-route"  # answered 404 by the router: no database, no hashing


def now_us():
    return int(time.time() * 1_000_000)

QUICK = os.environ.get("LOAD_QUICK") == "1"
SECONDS = int(os.environ.get("LOAD_SECONDS", "4" if QUICK else "10"))
LOGIN_SECONDS = int(os.environ.get("LOAD_LOGIN_SECONDS", "10" if QUICK else "20"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "64"))
THREADS = 2
# LOAD_ONLY=write: the 404 baseline, durable logout and verify only (the write path's figures).
# LOAD_ONLY=login: login against raw PBKDF2 only.
WRITE_ONLY = os.environ.get("LOAD_ONLY") == "write"
LOGIN_ONLY = os.environ.get("LOAD_ONLY") == "login"


def log(message):
    print(f"== {message}", file=sys.stderr, flush=True)


# MARK: seeding

def seed_sessions(db, users, per_user, prefix):
    """Inserts `users` users with `per_user` sessions each; returns the tokens, shuffled
    so that consecutive requests hit different users."""
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA synchronous=OFF")
    # Never checked (these users do not log in); the login user gets a real hash.
    phc = "$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
    now = now_us()
    tokens = []
    with connection:
        for u in range(users):
            cursor = connection.execute(
                "INSERT INTO users (username, password_hash, disabled, created_at, updated_at) VALUES (?, ?, 0, ?, ?)",
                (f"{prefix}{u}", phc, now, now))
            user_id = cursor.lastrowid
            rows = []
            for _ in range(per_user):
                token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
                # As Authenticator.tokenHash and Session.newID: SHA-256 of the token's UTF-8
                # text, a 16-hex-digit id.
                rows.append((secrets.token_hex(8), hashlib.sha256(token.encode()).digest(), user_id, now,
                             now + DAY_US, now, "203.0.113.9", "bench"))
                tokens.append(token)
            connection.executemany(
                "INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, address, user_agent)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.close()
    secrets.SystemRandom().shuffle(tokens)
    return tokens


def touch_sessions(db, prefix):
    """Sets last_seen_at to now for one seeded group, so that a verify run that follows
    (under a minute) stays a read: authd writes last activity at most once a minute per
    session, and a seeded group would otherwise take all those writes in one burst."""
    connection = sqlite3.connect(db, timeout=30)
    with connection:
        connection.execute("UPDATE sessions SET last_seen_at = ? WHERE user_id IN "
                           "(SELECT id FROM users WHERE username LIKE ?)", (now_us(), prefix + "%"))
    connection.close()


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return f"nproc {os.cpu_count()}, {cpu}, {mem_kib / 1024 / 1024:.1f} GiB RAM"


def fsync_rate(directory, count=300):
    """4 KiB write + fsync per second on the database's file system: the floor under a
    durable commit (synchronous=FULL syncs the WAL at every commit)."""
    path = os.path.join(directory, "fsync.probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    started = time.monotonic()
    for i in range(count):
        os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
        os.fsync(fd)
    elapsed = time.monotonic() - started
    os.close(fd)
    os.unlink(path)
    return count / elapsed


def loadavg():
    return os.getloadavg()[0]


def write_tokens(directory, name, tokens):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("\n".join(tokens) + "\n")
    return path


# MARK: the server

class Server:
    def __init__(self, authd, db, directory):
        self.db = db
        self.log_path = os.path.join(directory, "serve.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [authd, "serve", "--db", db, "--host", "127.0.0.1", "--port", "0", "--log-level", "notice",
             "--throttle-user-limit", "1000000000", "--throttle-address-limit", "1000000000",
             "--metrics-on-api-port"],
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

    def cpu_seconds(self):
        """User + system CPU time the server has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def thread_times(self):
        """{thread id: (name, ns on CPU, ns waiting in the run queue)} from schedstat. The
        SQLite writer's dispatch queue thread shows as "-qos.overcommit", Swift's
        cooperative pool as "oot.default-qos"; dispatch threads come and go, so compare by
        thread id (a thread new since the first snapshot counts from zero)."""
        times = {}
        for task in os.listdir(f"/proc/{self.process.pid}/task"):
            try:
                with open(f"/proc/{self.process.pid}/task/{task}/comm") as f:
                    name = f.read().strip()
                with open(f"/proc/{self.process.pid}/task/{task}/schedstat") as f:
                    run, wait, _ = map(int, f.read().split())
            except OSError:
                continue
            times[task] = (name, run, wait)
        return times

    @staticmethod
    def thread_delta(before, after, name):
        """(ns on CPU, ns in the run queue) of threads called `name` between two snapshots."""
        run = wait = 0
        for task, (task_name, r, w) in after.items():
            if task_name == name:
                _, r0, w0 = before.get(task, (name, 0, 0))
                run, wait = run + r - r0, wait + w - w0
        return run, wait

    def metrics(self):
        """The server's /metrics text."""
        return subprocess.run(["curl", "-s", self.url + "/metrics"], check=True, capture_output=True,
                              text=True).stdout

    @staticmethod
    def metric(text, name):
        """The value of the unlabelled metric `name` in /metrics `text`, or None when absent."""
        match = re.search(rf"^{name}(?:\{{\}})? ([\d.e+]+)$", text, re.M)
        return int(float(match.group(1))) if match else None

    def requests_answered(self):
        """HTTP requests answered so far (every route and status), from /metrics."""
        return sum(int(float(n)) for n in re.findall(r"^authd_http_request_duration_seconds_count\{.*\} ([\d.e+]+)$",
                                                     self.metrics(), re.M))

    def batch_counters(self):
        """(writes committed, transactions committed) so far; 0 before the first."""
        text = self.metrics()
        return (self.metric(text, "authd_db_writer_batch_size_sum") or 0,
                self.metric(text, "authd_db_writer_batch_size_count") or 0)

    def writer_counters(self):
        """(WAL frames appended, writes committed, batches committed) so far, from /metrics."""
        text = self.metrics()
        names = ("authd_db_pages_written_total", "authd_db_writer_batch_size_sum", "authd_db_writer_batch_size_count")
        values = [self.metric(text, name) for name in names]
        for name, value in zip(names, values):
            if value is None:
                raise SystemExit(f"/metrics has no {name}")
        return tuple(values)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


# MARK: load

def wrk(url, script, args, connections=CONNECTIONS, seconds=SECONDS, headers=(), threads=THREADS, env=None):
    """Runs wrk; returns (ok, other, seconds, p50_ms, p99_ms) from the script's RESULT line."""
    command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", os.path.join(HERE, script)]
    for header in headers:
        command += ["-H", header]
    command += [url, "--"] + [str(a) for a in args]
    output = subprocess.run(command, check=True, capture_output=True, text=True,
                            env={**os.environ, **(env or {})}).stdout
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
# MARK: the run

def main():
    authd = sys.argv[1]
    directory = tempfile.mkdtemp(prefix="authd-load.")
    db = os.path.join(directory, "load.sqlite")
    log(f"working in {directory}; {machine()}")
    loads = [loadavg()]
    # The login user: created by authd itself at the default cost (600,000 iterations).
    subprocess.run([authd, "user", "add", "bench", "--password-stdin", "--db", db], input="bench password\n",
                   check=True, capture_output=True, text=True,
                   env={**os.environ, "AUTHD_PBKDF2_ITERATIONS": str(ITERATIONS)})

    log("seeding sessions")
    main_tokens = seed_sessions(db, 2000, 10, "u")                           # 2,000 users x 10
    by_connections = {c: seed_sessions(db, 2000, 10, f"c{c}-") for c in (1, 4, 16, 64)}
    by_connections["64b"] = seed_sessions(db, 2000, 10, "c64b-")            # 10 per user, again
    by_per_user = {1000: seed_sessions(db, 20, 1000, "k"), 10_000: seed_sessions(db, 2, 10_000, "m")}
    verify_tokens = seed_sessions(db, 1000, 10, "v")                         # 10,000 for verify
    files = {"main": write_tokens(directory, "main.txt", main_tokens),
             "verify": write_tokens(directory, "verify.txt", verify_tokens)}
    for c, tokens in by_connections.items():
        files[f"c{c}"] = write_tokens(directory, f"c{c}.txt", tokens)
    for n, tokens in by_per_user.items():
        files[f"n{n}"] = write_tokens(directory, f"n{n}.txt", tokens)

    # (measure, measured, baseline, ratio or result, goal, met: True/False/None)
    rows = []
    cpu_per_request, wall_share = {}, {}
    logout_path, verify_path = "/directlink/v1/auth/logout", "/directlink/v1/auth/verify"
    server = Server(authd, db, directory)
    try:
        status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", server.url + NOT_FOUND_PATH],
                                capture_output=True, text=True).stdout
        if status != "404":
            raise SystemExit(f"{NOT_FOUND_PATH} answered {status}, not 404")

        writer, pages, page_size = (0, 0, 0), (0, 0), 0  # the logout run's figures, when it runs
        if not LOGIN_ONLY:
            log(f"no-database baseline: GET {NOT_FOUND_PATH} (404), {CONNECTIONS} connections, {SECONDS}s")
            cpu = server.cpu_seconds()
            ok, other, secs, _, _ = wrk(server.url + NOT_FOUND_PATH, "plain.lua", ["GET"])
            baseline = (ok + other) / secs
            cpu_per_request["404"] = (server.cpu_seconds() - cpu) / (ok + other)

            log("durable logout: 2,000 users x 10 sessions, each request a fresh token")
            cpu, threads_before, counters = server.cpu_seconds(), server.thread_times(), server.writer_counters()
            # Dispatch threads exit when idle (after the tokens run out): keep the last sample
            # of every thread seen during the run.
            threads_seen, sampling = dict(threads_before), threading.Event()

            def sample():
                while not sampling.wait(0.2):
                    threads_seen.update(server.thread_times())
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            ok, other, secs, logout_p50, logout_p99 = tokens_run(server, logout_path, files["main"], "POST", "once")
            sampling.set()
            sampler.join()
            threads_seen.update(server.thread_times())
            logout = ok / secs
            frames, writes, batches = (b - a for a, b in zip(counters, server.writer_counters()))
            pages = (frames / (ok + other), writes / max(batches, 1))
            page_size = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
            cpu_per_request["logout"] = (server.cpu_seconds() - cpu) / (ok + other)
            wall_share["logout"] = (server.cpu_seconds() - cpu) / secs
            run, wait = Server.thread_delta(threads_before, threads_seen, "-qos.overcommit")
            writer = (run / 1e9 / secs, wait / 1e9 / secs, run / 1e3 / (ok + other))
            rows.append(("durable logout req/s ÷ 404 req/s", f"{logout:,.0f}", f"{baseline:,.0f}",
                         logout / baseline, "≥ 0.4", logout / baseline >= 0.4))
            # A long checkpoint inside a commit stalls every write queued behind it: the tail shows it.
            rows.append((f"durable logout p99 (ms), {CONNECTIONS} conn.", f"p99 {logout_p99:.2f} ms",
                         f"p50 {logout_p50:.2f} ms", logout_p99, "(latency)", None))

            log("verify: 10,000 live sessions, round-robin")
            touch_sessions(db, "v")
            cpu = server.cpu_seconds()
            ok, other, secs, _, _ = tokens_run(server, verify_path, files["verify"], "GET", "cycle")
            cpu_per_request["verify"] = (server.cpu_seconds() - cpu) / (ok + other)
            if other:
                raise SystemExit(f"verify answered {other} non-200s")
            verify = ok / secs
            rows.append(("verify req/s ÷ 404 req/s", f"{verify:,.0f}", f"{baseline:,.0f}",
                         verify / baseline, "≥ 0.6", verify / baseline >= 0.6))
            loads.append(loadavg())

            if WRITE_ONLY:
                return report(rows, loads, cpu_per_request, wall_share, writer, pages, page_size, directory)
        cores = os.cpu_count() or 2
        # Raw PBKDF2 is measured just before and just after the login run and averaged, so
        # that a drift in the machine's speed during the run does not pass for a ratio.
        log(f"raw PBKDF2-HMAC-SHA256 at {ITERATIONS:,} iterations, {cores} processes, {LOGIN_SECONDS}s, "
            "before and after the login run")
        raw_before = raw_pbkdf2_rate(LOGIN_SECONDS)
        log(f"login at {ITERATIONS:,} iterations, 8 connections, {LOGIN_SECONDS}s")
        basic = "Authorization: Basic " + base64.b64encode(b"bench:bench password").decode()
        ok, other, secs, _, _ = wrk(server.url + "/directlink/v1/auth/login", "plain.lua", ["POST"], connections=8,
                                    seconds=LOGIN_SECONDS, headers=[basic])
        if other:
            raise SystemExit(f"login answered {other} non-200s")
        login = ok / secs
        raw = (raw_before + raw_pbkdf2_rate(LOGIN_SECONDS)) / 2
        rows.append((f"login req/s ÷ raw PBKDF2/s ({ITERATIONS:,} it., {cores} cores)", f"{login:.2f}", f"{raw:.2f}",
                     login / raw, "≥ 0.97", login / raw >= 0.97))
        loads.append(loadavg())
        if LOGIN_ONLY:
            return report(rows, loads, cpu_per_request, wall_share, writer, pages, page_size, directory)

        log("verify latency while a login flood saturates PBKDF2")
        flood = subprocess.Popen(
            ["wrk", "-t", "1", "-c", "16", "-d", f"{SECONDS + 4}s", "--timeout", "30s", "-s",
             os.path.join(HERE, "plain.lua"), "-H", basic, server.url + "/directlink/v1/auth/login", "--", "POST"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(2)  # let the flood fill the hashing queue before measuring
        touch_sessions(db, "v")
        ok, other, secs, p50, p99 = tokens_run(server, verify_path, files["verify"], "GET", "cycle", connections=4)
        flood_out = flood.communicate()[0]
        match = re.search(r"RESULT ok=(\d+) other=(\d+) seconds=([\d.]+)", flood_out)
        flood_rate = int(match.group(1)) / float(match.group(3)) if match else float("nan")
        rows.append(("verify p99 (ms) during a login flood (16 conn.)", f"p99 {p99:.2f} ms (p50 {p50:.2f})",
                     f"{ok / secs:,.0f} verify/s beside {flood_rate:.2f} login/s", p99, "< 10 ms", p99 < 10))

        log("logout scaling: 1 to 64 connections (2,000 users x 10 sessions each)")
        rates = {}
        for c in (1, 4, 16, 64):
            ok, other, secs, _, _ = tokens_run(server, logout_path, files[f"c{c}"], "POST", "once", connections=c)
            rates[c] = ok / secs
        for c in (1, 4, 16):
            rows.append((f"logout req/s, {c} conn. ÷ 64 conn.", f"{rates[c]:,.0f}", f"{rates[64]:,.0f}",
                         rates[c] / rates[64], "(scaling)", None))

        log("logout with 1,000 and 10,000 sessions per user, then 10 again (64 connections)")
        per_user = {}
        for n in (1000, 10_000):
            ok, other, secs, _, _ = tokens_run(server, logout_path, files[f"n{n}"], "POST", "once")
            per_user[n] = ok / secs
        ok, other, secs, _, _ = tokens_run(server, logout_path, files["c64b"], "POST", "once")
        # 10 per user: the mean of the 64-connection runs just before and just after, so that
        # a drift over the run (WAL, audit log growth, other jobs) does not pass for an effect.
        ten = (rates[64] + ok / secs) / 2
        for n in (1000, 10_000):
            rows.append((f"logout req/s, {n:,} ÷ 10 sessions per user", f"{per_user[n]:,.0f}",
                         f"{ten:,.0f} ({rates[64]:,.0f}, {ok / secs:,.0f})", per_user[n] / ten,
                         "no worse (≥ 0.9)", per_user[n] / ten >= 0.9))
        loads.append(loadavg())
    finally:
        server.stop()

    log("peak RSS with 100,000 live sessions (a fresh server, verify across all of them)")
    db2 = os.path.join(directory, "rss.sqlite")
    subprocess.run([authd, "migrate", "up", "--db", db2], check=True, capture_output=True)
    rss_tokens = seed_sessions(db2, 10_000, 10, "r")
    rss_file = write_tokens(directory, "rss.txt", rss_tokens)
    server = Server(authd, db2, directory)
    try:
        touch_sessions(db2, "r")
        # Each token exactly once ("once" mode), with time for all of them at half the
        # verify rate measured above.
        seconds = max(SECONDS, int(2 * len(rss_tokens) / verify) + 3)
        ok, other, secs, _, _ = tokens_run(server, verify_path, rss_file, "GET", "once", seconds=seconds)
        if ok < len(rss_tokens):
            raise SystemExit(f"verify answered {ok:,} 200s for {len(rss_tokens):,} sessions in {seconds}s")
        sessions = sqlite3.connect(db2).execute("SELECT count(*) FROM sessions").fetchone()[0]
        rss_mib = server.peak_rss_kib() / 1024
    finally:
        server.stop()
    rows.append((f"peak RSS (VmHWM, MiB) with {sessions:,} live sessions", f"{rss_mib:.1f} MiB",
                 f"{ok:,} verifies", rss_mib, "< 64 MiB", rss_mib < 64))
    loads.append(loadavg())
    report(rows, loads, cpu_per_request, wall_share, writer, pages, page_size, directory)


def report(rows, loads, cpu_per_request, wall_share, writer, pages, page_size, directory):
    print()
    print("| measure | measured | baseline | ratio / result | goal | met? |")
    print("|---|---:|---:|---:|---|:---:|")
    for name, measured, base, ratio, goal, met in rows:
        verdict = "–" if met is None else ("yes" if met else "**no**")
        print(f"| {name} | {measured} | {base} | {ratio:.3f} | {goal} | {verdict} |")
    print()
    print(f"Machine: {machine()}. Run: {CONNECTIONS} connections, {THREADS} wrk threads, {SECONDS}s per "
          f"404/logout/verify run, {LOGIN_SECONDS}s for login and for raw PBKDF2. Load average (1 min) "
          f"at the start, between steps and at the end: {', '.join(f'{l:.2f}' for l in loads)}.")
    print(f"File system: {fsync_rate(directory):,.0f} write+fsync/s (4 KiB) in {directory} at the end of the run.")
    if "logout" in wall_share:
        print("Server CPU time per request (user + system, from /proc/PID/stat): "
              + ", ".join(f"{k} {v * 1e6:,.0f} µs" for k, v in cpu_per_request.items())
              + f"; during the durable logout run the server used {wall_share['logout']:.2f} cores of "
              f"{os.cpu_count()}, its SQLite writer thread {writer[0]:.2f} of a core on CPU ({writer[2]:.0f} µs "
              f"per logout) and {writer[1]:.2f} waiting in the run queue; it appended {pages[0]:.2f} WAL frames "
              f"per logout ({pages[0] * (page_size + 24) / 1024:.1f} KiB at {page_size}-byte pages), "
              f"{pages[1]:.1f} writes per transaction on average.")
    if os.environ.get("LOAD_JSON"):
        # For bench/load/compare.py: every ratio by measure, and the writer's figures when
        # the logout run ran.
        figures = {"ratios": {name: ratio for name, _, _, ratio, _, _ in rows},
                   "server_us_per_request": {k: v * 1e6 for k, v in cpu_per_request.items()}}
        if "logout" in wall_share:
            figures.update({"writer_us_per_logout": writer[2], "wal_frames_per_logout": pages[0],
                            "wal_kib_per_logout": pages[0] * (page_size + 24) / 1024,
                            "writes_per_transaction": pages[1]})
        with open(os.environ["LOAD_JSON"], "w") as f:
            json.dump(figures, f)
    if os.environ.get("LOAD_KEEP") == "1":
        print(f"Working files kept in {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
