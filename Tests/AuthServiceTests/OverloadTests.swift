import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// A login refused because the hashing queue is full is answered 503, audited like any
/// other attempt, and does not count against the throttle: it checked no secret.
@Suite struct OverloadTests {
    @Test func aLoginRefusedWith503IsAuditedAndGivesItsThrottleSlotBack() async throws {
        let app = try await TestApp(maxQueuedHashes: 0)
        let (pool, store, clock) = (app.pool, app.store, app.clock)
        try await app.test { client in
            let release = await pool.occupyEveryThread()
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "secret")) {
                response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                #expect(response.shape == errorShape(503, "Service Unavailable"))
            }
            try await release()

            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.entry == .failure(.login, .unavailable, username: "alice", context: row.entry.context))
            #expect(try await store.throttleEntries(policy: ThrottlePolicy(), at: clock.now).isEmpty)
        }
    }
}
