import AuthStore
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Two `authd serve` replicas on one PostgreSQL database, as behind a load balancer: the
/// promises of one server must hold across both, with requests in flight on both at once.
@Suite(.enabled(if: TestPostgresServer.isWanted), .timeLimit(.minutes(5)))
struct ReplicaTests {
    /// PBKDF2 dear enough that concurrent checks really overlap, cheap enough for CI.
    /// The loopback proxy is trusted so that tests can give logins addresses of their own.
    static let environment = ["AUTHD_PBKDF2_ITERATIONS": "20000", "AUTHD_TRUSTED_PROXY": "127.0.0.1/32"]

    private func withReplicas<T>(
        users: [String: String], _ body: (Sandbox, ServedProcess, ServedProcess) async throws -> T
    ) async throws -> T {
        try await Sandbox.withPostgres { sandbox in
            for (name, password) in users { try await sandbox.addUser(name, password: password) }
            let a = try await ServedProcess(sandbox: sandbox, environment: Self.environment)
            let b = try await ServedProcess(sandbox: sandbox, environment: Self.environment)
            do {
                let result = try await body(sandbox, a, b)
                await a.stop()
                await b.stop()
                return result
            } catch {
                await a.stop()
                await b.stop()
                throw error
            }
        }
    }

    @Test func aSessionOpenedOnOneReplicaIsVerifiedAndEndedOnTheOther() async throws {
        try await withReplicas(users: ["alice": "right"]) { _, a, b in
            let login = try await a.login("alice", "right")
            #expect(login.status == 200)
            #expect(try await b.request("GET", "/directlink/v1/auth/verify", authorization: "Bearer \(login.token)").status == 200)
            #expect(try await b.request("POST", "/directlink/v1/auth/logout", authorization: "Bearer \(login.token)").status == 200)
            #expect(try await a.request("GET", "/directlink/v1/auth/verify", authorization: "Bearer \(login.token)").status == 401)
        }
    }

    /// Guesses for one user from one address, half on each replica, all at once: the
    /// database is the only counter, so exactly the limit (5) is checked.
    @Test func guessesSpreadOverBothReplicasGetTheLimitBetweenThem() async throws {
        try await withReplicas(users: ["alice": "right"]) { sandbox, a, b in
            let statuses = try await Self.logins(30, inFlight: 30, over: [a, b]) { _ in ("alice", "wrong") }
            #expect(statuses[401] == 5, "\(statuses)")
            #expect(statuses[429] == 25, "\(statuses)")
            // And the throttle holds on both now.
            #expect(try await a.login("alice", "right").status == 429)
            #expect(try await b.login("alice", "right").status == 429)
        }
    }

    /// 200 logins over both replicas, 16 in flight, while an operator changes the password:
    /// every login used the old one, so once `user passwd` has returned, no session may be
    /// left (a login that checked the old hash loses its compare-and-swap and fails).
    @Test func aPasswordChangeDuringLoginsOnBothReplicasLeavesNoOldSession() async throws {
        try await withReplicas(users: [:]) { sandbox, a, b in
            // Logins from many addresses, so the per-address limit never interferes.
            try await sandbox.addUser("alice", password: "old")
            async let statuses = Self.logins(200, inFlight: 16, over: [a, b], spreadAddresses: true) { _ in
                ("alice", "old")
            }
            let passwd = try await sandbox.authd("user", "passwd", "alice", "--password-stdin", stdin: "new\n")
            #expect(passwd.status == 0, "\(passwd)")
            let counts = try await statuses
            #expect(Set(counts.keys).isSubset(of: [200, 401, 429]), "\(counts)")
            let left = try await sandbox.withAnyStore { try await $0.sessions(username: "alice") }
            #expect(left.isEmpty, "\(left)")
            #expect(try await a.login("alice", "new").status == 200)
        }
    }

    /// kill -9 of one replica in the middle of logins: what was acknowledged is durable and
    /// audited, the other replica goes on, and the audit chain has no gap.
    @Test func killingOneReplicaLosesNothingAcknowledged() async throws {
        try await withReplicas(users: ["alice": "right"]) { sandbox, a, b in
            let acknowledged = Acknowledged()
            let logins = Task {
                try await Self.logins(120, inFlight: 8, over: [a, b], acknowledged: acknowledged) { _ in ("alice", "right") }
            }
            // Kill A once both replicas have acknowledged some logins: mid-run by construction.
            while acknowledged.count < 20 { await Task.yield() }
            let killed = await a.stop(SIGKILL)
            #expect(killed.signaled)
            _ = try? await logins.value

            let tokens = acknowledged.all
            #expect(tokens.count >= 20)
            for (token, _) in tokens {
                let verify = try await b.request("GET", "/directlink/v1/auth/verify", authorization: "Bearer \(token)")
                #expect(verify.status == 200, "an acknowledged token does not verify")
            }
            try await sandbox.withAnyStore { store in
                let logins = try await store.queryAudit(AuditQuery(events: [.login], outcome: .success, limit: 10_000))
                let audited = Set(logins.map(\.entry.context.requestID))
                for (_, requestID) in tokens {
                    #expect(audited.contains(requestID), "login \(requestID) was acknowledged but not audited")
                }
            }
            let verify = try await sandbox.authd("audit", "verify")
            #expect(verify.status == 0, "\(verify)")
        }
    }

    /// Tokens and request ids of logins that got a 200.
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private var tokens: [(String, String)] = []
        func add(_ token: String, _ requestID: String) { lock.withLock { tokens.append((token, requestID)) } }
        var count: Int { lock.withLock { tokens.count } }
        var all: [(String, String)] { lock.withLock { tokens } }
    }

    /// `count` logins over `servers` in turn, at most `inFlight` at once; from 127.0.0.1, or
    /// with `spreadAddresses` each from an address of its own (X-Forwarded-For from the
    /// trusted loopback proxy). A request that fails at the transport (a killed replica)
    /// counts as status 0.
    static func logins(
        _ count: Int, inFlight: Int, over servers: [ServedProcess], spreadAddresses: Bool = false,
        acknowledged: Acknowledged? = nil,
        credentials: @escaping @Sendable (Int) -> (String, String)
    ) async throws -> [Int: Int] {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = inFlight
        configuration.timeoutIntervalForRequest = 120
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }
        let ports = servers.map(\.port)
        return await withTaskGroup(of: Int.self) { group in
            var next = 0
            var statuses: [Int: Int] = [:]
            func start() {
                let index = next
                next += 1
                group.addTask {
                    let (user, password) = credentials(index)
                    var request = URLRequest(
                        url: URL(string: "http://127.0.0.1:\(ports[index % ports.count])/directlink/v1/auth/login")!)
                    request.httpMethod = "POST"
                    request.setValue(
                        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString(),
                        forHTTPHeaderField: "Authorization")
                    if spreadAddresses {
                        request.setValue("198.18.\(index / 256).\(index % 256)", forHTTPHeaderField: "X-Forwarded-For")
                    }
                    guard let (data, response) = try? await session.data(for: request),
                        let http = response as? HTTPURLResponse
                    else { return 0 }
                    if http.statusCode == 200, let acknowledged,
                        let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                        let token = json["bearer"] as? String
                    {
                        acknowledged.add(token, http.value(forHTTPHeaderField: "X-Request-Id") ?? "")
                    }
                    return http.statusCode
                }
            }
            for _ in 0..<min(inFlight, count) { start() }
            for await status in group {
                statuses[status, default: 0] += 1
                if next < count { start() }
            }
            return statuses
        }
    }
}

/// Rolling upgrades and careless database settings, as a replica sees them.
@Suite(.enabled(if: TestPostgresServer.isWanted), .timeLimit(.minutes(2)))
struct ReplicaOperationsTests {
    /// Another replica ran a newer authd's migrations: this one drains itself.
    @Test func aReplicaOlderThanTheSchemaAnswersHealthz503() async throws {
        try await Sandbox.withPostgres { sandbox in
            let server = try await ServedProcess(sandbox: sandbox)
            #expect(try await server.request("GET", "/healthz").status == 200)
            try await TestPostgresServer.psql(
                "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 0)",
                database: try #require(sandbox.postgresURL))
            #expect(try await server.request("GET", "/healthz").status == 503)
            await server.stop()
            #expect(server.output.contains("newer than this authd knows"), "\(server.output)")
        }
    }

    /// The test cluster runs with fsync=off, which would make a 200 a promise the database
    /// cannot keep: serve says so at start.
    @Test func serveWarnsWhenTheServerMayLoseCommits() async throws {
        try await Sandbox.withPostgres { sandbox in
            let server = try await ServedProcess(sandbox: sandbox)
            await server.stop()
            #expect(server.output.contains("fsync=off"), "\(server.output)")
        }
    }
}
