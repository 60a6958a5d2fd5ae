import AuthStore
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Promises that only show with many requests in flight at once, against the real binary on
/// 127.0.0.1. PBKDF2 runs at 100,000 iterations (tens of milliseconds per check on two
/// threads), so the attempts really overlap: a check read before hashing and written after
/// it would let every one of them through.
@Suite(.timeLimit(.minutes(3))) struct ConcurrentAttemptTests {
    static let cost = ["AUTHD_PBKDF2_ITERATIONS": "100000"]

    @Test func simultaneousGuessesForOneUserGetAtMostTheLimitOf401() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let server = try await ServedProcess(sandbox: sandbox, environment: Self.cost)
            let statuses = try await Self.concurrently(30, server) { _ in ("alice", "wrong") }
            await server.stop()
            #expect(statuses[401] == 5, "\(statuses)")
            #expect(statuses[429] == 25, "\(statuses)")
            try await sandbox.withStore { store in
                let rows = try await store.queryAudit(AuditQuery(limit: 100))
                #expect(rows.filter { $0.entry.reason == .badPassword }.count == 5)
                // Throttled refusals checked no secret: a few rows, the rest summed (written at SIGTERM).
                #expect(rows.filter { $0.entry.reason == .throttled }.map(\.entry.count).reduce(0, +) == 25)
            }
        }
    }

    @Test func simultaneousGuessesOnManyNamesGetAtMostTheAddressLimitOf401() async throws {
        try await Sandbox.with { sandbox in
            let server = try await ServedProcess(sandbox: sandbox, environment: Self.cost)
            let statuses = try await Self.concurrently(70, server) { index in ("nobody\(index)", "guess") }
            await server.stop()
            #expect(statuses[401] == 50, "\(statuses)")
            #expect(statuses[429] == 20, "\(statuses)")
        }
    }

    /// A user stored at a lower cost than the server's is rehashed by the first login that
    /// commits; the others lose the compare-and-swap, check again and still succeed.
    @Test func simultaneousCorrectLoginsAllSucceedWhileOneRehashes() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: "right")
            let server = try await ServedProcess(sandbox: sandbox, environment: Self.cost)
            let statuses = try await Self.concurrently(8, server) { _ in ("alice", "right") }
            await server.stop()
            #expect(statuses == [200: 8])
            try await sandbox.withStore { store in
                let alice = try #require(try await store.user(named: "alice"))
                #expect(PHCHash(alice.passwordHash)?.iterations == 100_000)
                #expect(try await store.sessions(username: "alice").count == 8)
                let failures = try await store.queryAudit(AuditQuery(outcome: .failure, limit: 100))
                #expect(failures.isEmpty, "\(failures.map(\.entry))")
            }
        }
    }

    /// Sends `count` logins at once, each on its own connection; returns how many got each status.
    static func concurrently(
        _ count: Int, _ server: ServedProcess, credentials: @escaping @Sendable (Int) -> (String, String)
    ) async throws -> [Int: Int] {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = count
        configuration.timeoutIntervalForRequest = 120
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }
        let port = server.port
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                group.addTask {
                    let (user, password) = credentials(index)
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/directlink/v1/auth/login")!)
                    request.httpMethod = "POST"
                    request.setValue(
                        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString(),
                        forHTTPHeaderField: "Authorization")
                    let (_, response) = try await session.data(for: request)
                    return (response as? HTTPURLResponse)?.statusCode ?? 0
                }
            }
            return try await group.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        }
    }
}
