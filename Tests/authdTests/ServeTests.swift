import AuthStore
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `authd serve` as operators run it: the real binary on 127.0.0.1.
@Suite(.timeLimit(.minutes(3))) struct ServeTests {
    let password = "correct horse battery staple"

    @Test func timeFieldFollowsTZ() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let saoPaulo = try await ServedProcess(sandbox: sandbox, environment: ["TZ": "America/Sao_Paulo"])
            let body = try await saoPaulo.request("POST", "/missing").body
            await saoPaulo.stop()
            #expect(body.contains(#/ -0300 -03 m=\+\d+\.\d{9}"/#), "\(body)")

            let utc = try await ServedProcess(sandbox: sandbox, environment: ["TZ": nil])
            let utcBody = try await utc.request("POST", "/missing").body
            await utc.stop()
            #expect(utcBody.contains(#/ \+0000 UTC m=\+\d+\.\d{9}"/#), "\(utcBody)")
        }
    }

    /// Readiness: /healthz reports the schema version, and from the moment SIGTERM arrives
    /// answers 503 while the API is still served for --shutdown-delay.
    @Test func healthzTurns503WhenShutdownBegins() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: password)
            let server = try await ServedProcess(sandbox: sandbox, arguments: ["--shutdown-delay", "10m"])
            let healthy = try await server.request("GET", "/healthz")
            #expect(healthy.status == 200 && healthy.body == #"{"status":"ok"}"#)
            // The newest migration in the repository's migrations/ folder, e.g. 0003_….sql → 3.
            let migrations = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appending(path: "migrations")
            let newest = try FileManager.default.contentsOfDirectory(atPath: migrations.path).compactMap {
                Int($0.prefix(4))
            }.max()
            #expect(healthy.headers["x-authd-schema-version"] == newest.map(String.init))
            let token = try await server.login("alice", password).token

            server.signal(SIGTERM)
            try await server.waitForOutput(containing: "shutting down: /healthz answers 503")
            let draining = try await server.request("GET", "/healthz")
            #expect(draining.status == 503)
            #expect(draining.body.contains(#""status":503,"description":"Service Unavailable""#))
            // Still serving the API while draining.
            let verify = try await server.request("GET", "/directlink/v1/auth/verify", authorization: "Bearer \(token)")
            #expect(verify.status == 200)
            await server.stop(SIGKILL)
        }
    }

    /// `--metrics-port`: /metrics is served there, on `--metrics-host`, and only there.
    @Test func metricsOnTheirOwnPort() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: password)
            let server = try await ServedProcess(
                sandbox: sandbox, arguments: ["--metrics-port", "0", "--metrics-host", "127.0.0.2"])
            try await server.waitForOutput(containing: "/metrics")
            let match = try #require(server.output.firstMatch(of: #/metrics on 127\.0\.0\.2:(\d+)\/metrics/#))
            let metricsPort = try #require(Int(match.1))
            #expect(try await server.login("alice", password).status == 200)

            let (data, response) = try await URLSession.shared.data(
                from: URL(string: "http://127.0.0.2:\(metricsPort)/metrics")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains(#"authd_logins_total{outcome="success",reason="none"} 1"#), "\(text)")
            #expect(text.contains("authd_sessions_live 1"), "\(text)")
            #expect(try await server.request("GET", "/metrics").status == 404)
            await server.stop()
        }
    }

    /// Neither option: no metrics anywhere, and the API port answers 404 for them. The
    /// metrics listener's address does not follow `--host`.
    @Test func noMetricsOnTheAPIPortByDefault() async throws {
        try await Sandbox.with { sandbox in
            let server = try await ServedProcess(sandbox: sandbox)
            #expect(try await server.request("GET", "/metrics").status == 404)
            #expect(!server.output.contains("metrics on"))
            await server.stop()
            let printed = try await sandbox.authd(arguments: ["serve", "--print-config", "--host", "0.0.0.0"])
            #expect(printed.stdout.contains(#"metrics-host = "127.0.0.1"  # default"#), "\(printed.stdout)")
            #expect(printed.stdout.contains("metrics-on-api-port = false  # default"), "\(printed.stdout)")
        }
    }

    /// `--metrics-on-api-port` (or its variable): served on the API port, with a wrong
    /// password and an unknown user counted as one reason.
    @Test(arguments: [false, true])
    func metricsOnTheAPIPortWhenAsked(throughEnvironment: Bool) async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: password)
            let server =
                throughEnvironment
                ? try await ServedProcess(sandbox: sandbox, environment: ["AUTHD_METRICS_ON_API_PORT": "true"])
                : try await ServedProcess(sandbox: sandbox, arguments: ["--metrics-on-api-port"])
            #expect(try await server.login("alice", "wrong").status == 401)
            #expect(try await server.login("nobody", password).status == 401)
            let metrics = try await server.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(
                metrics.body.contains(#"authd_logins_total{outcome="failure",reason="invalid_credentials"} 2"#),
                "\(metrics.body)")
            #expect(!metrics.body.contains("bad_password") && !metrics.body.contains("unknown_user"), "\(metrics.body)")
            await server.stop()
        }
    }

    @Test func sigtermStopsCleanlyAndSessionsSurviveRestarts() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: password)
            let first = try await ServedProcess(sandbox: sandbox)
            #expect(!first.output.contains("no users"))
            let login = try await first.login("alice", password)
            #expect(login.status == 200)
            let stopped = await first.stop(SIGTERM)
            #expect(stopped.status == 0 && !stopped.signaled)
            #expect(first.output.contains("database closed"))

            let second = try await ServedProcess(sandbox: sandbox)
            let bearer = "Bearer \(login.token)"
            let verify = try await second.request("GET", "/directlink/v1/auth/verify", authorization: bearer)
            #expect(verify.status == 200)
            #expect(verify.headers["x-auth-user"] == "alice")
            #expect(try await second.request("POST", "/directlink/v1/auth/logout", authorization: bearer).status == 200)
            await second.stop(SIGINT)

            let third = try await ServedProcess(sandbox: sandbox)
            #expect(try await third.request("GET", "/directlink/v1/auth/verify", authorization: bearer).status == 401)
            await third.stop()
        }
    }

    @Test func jsonLogsAreOneObjectPerLineWithoutSecrets() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: password)
            let server = try await ServedProcess(sandbox: sandbox, environment: ["AUTHD_LOG_FORMAT": "json"])
            let login = try await server.login("alice", password)
            await server.stop()
            let lines = server.output.split(separator: "\n")
            #expect(!lines.isEmpty)
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(objects.count == lines.count, "every line is a JSON object: \(server.output)")
            let access = objects.first { $0["request_id"] as? String == login.requestID }
            #expect(access?["status"] as? String == "200")
            #expect(access?["path"] as? String == "/directlink/v1/auth/login")
            #expect(access?["method"] as? String == "POST")
            #expect(access?["address"] as? String == "127.0.0.1")
            #expect(access?["duration_ms"] != nil)
            #expect(!server.output.contains(login.token))
            #expect(!server.output.contains(password))
            #expect(!server.output.contains("Basic "))
        }
    }

    @Test func emptyDatabaseIsAnnounced() async throws {
        try await Sandbox.with { sandbox in
            let server = try await ServedProcess(sandbox: sandbox)
            await server.stop()
            #expect(server.output.contains("no users yet; add one with: authd user add NAME"))
        }
    }

    /// Every response the server sent before SIGKILL is on disk afterwards.
    @Test func sigkillLosesNoAcknowledgedWrite() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: password)
            let server = try await ServedProcess(sandbox: sandbox)
            let logins = try await withThrowingTaskGroup(of: (status: Int, token: String, requestID: String).self) {
                group in
                for _ in 0..<24 { group.addTask { try await server.login("alice", password) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let acknowledged = logins.filter { $0.status == 200 }
            #expect(acknowledged.count == 24)
            // Log half of them out, concurrently.
            let loggedOut = Array(acknowledged.prefix(12))
            let logoutStatuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for login in loggedOut {
                    group.addTask {
                        try await server.request(
                            "POST", "/directlink/v1/auth/logout", authorization: "Bearer \(login.token)"
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(logoutStatuses == Array(repeating: 200, count: 12))
            let killed = await server.stop(SIGKILL)
            #expect(killed.signaled)

            try await sandbox.withStore { store in
                let audit = try await store.queryAudit(AuditQuery(limit: 1000))
                let byRequest = Dictionary(grouping: audit, by: \.entry.context.requestID)
                for login in acknowledged {
                    #expect(
                        byRequest[login.requestID]?.first?.entry.event == .login, "login \(login.requestID) not audited"
                    )
                }
                #expect(audit.filter { $0.entry.event == .logout && $0.entry.outcome == .success }.count == 12)
                #expect(try await store.sessions(username: "alice").count == 12)
                #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
            }
            let restarted = try await ServedProcess(sandbox: sandbox)
            for login in acknowledged {
                let status = try await restarted.request(
                    "GET", "/directlink/v1/auth/verify", authorization: "Bearer \(login.token)"
                ).status
                #expect(status == (loggedOut.contains { $0.token == login.token } ? 401 : 200))
            }
            await restarted.stop()
        }
    }
}
