import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

@Suite struct ThrottleTests {
    func fail(_ client: some TestClientProtocol, _ user: String = "alice", path: String = loginPath) async throws {
        try await client.execute(uri: path, method: .post, headers: Header.basic(user, "wrong")) { response in
            #expect(response.status == .unauthorized)
        }
    }

    @Test func pastTheLimitIs429WithRetryAfterAndNoPBKDF2() async throws {
        var app = try await TestApp()
        app.configuration.throttle = ThrottlePolicy(perUserAndAddress: 5, perAddress: 50, window: .seconds(300))
        let (store, pool, clock) = (app.store, app.pool, app.clock)
        try await app.test { client in
            for _ in 0..<5 { try await fail(client) }
            clock.advance(.seconds(60))
            let before = pool.completedJobs
            // Even the right password is refused while throttled.
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "secret")) {
                response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "240")
                #expect(response.shape == errorShape(429, "Too Many Requests"))
            }
            #expect(pool.completedJobs == before, "no PBKDF2 work while throttled")
            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.entry.event == .login && row.entry.reason == .throttled && row.entry.username == "alice")
            // The window slides: once the failures are older than it, logins work again.
            clock.advance(.seconds(240))
            _ = try await login(client)
        }
    }

    @Test func otherUsersAreNotThrottledByOnesFailures() async throws {
        let app = try await TestApp(users: [("alice", "secret"), ("bob", "hunter2")])
        try await app.test { client in
            for _ in 0..<5 { try await fail(client) }
            _ = try await login(client, "bob", "hunter2")
        }
    }

    @Test func successClearsTheUsernameAddressCount() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for _ in 0..<4 { try await fail(client) }
            _ = try await login(client)
            for _ in 0..<4 { try await fail(client) }
            _ = try await login(client)
        }
    }

    @Test func perAddressLimitCoversManyUsernames() async throws {
        var app = try await TestApp()
        app.configuration.throttle = ThrottlePolicy(perUserAndAddress: 5, perAddress: 3, window: .seconds(300))
        try await app.test { client in
            for name in ["x1", "x2", "x3"] { try await fail(client, name) }
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "secret")) {
                response in
                #expect(response.status == .tooManyRequests)
            }
        }
    }

    @Test func basicLogoutCountsLikeLogin() async throws {
        let app = try await TestApp()
        let store = app.store
        try await app.test { client in
            for _ in 0..<5 { try await fail(client, path: logoutPath) }
            try await client.execute(uri: logoutPath, method: .post, headers: Header.basic("alice", "secret")) {
                response in
                #expect(response.status == .tooManyRequests)
            }
            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.entry.event == .logoutAll && row.entry.reason == .throttled)
        }
    }

    @Test func operatorClearLiftsTheBlock() async throws {
        let app = try await TestApp()
        let (store, clock) = (app.store, app.clock)
        try await app.test { client in
            for _ in 0..<5 { try await fail(client) }
            let entries = try await store.throttleEntries(policy: ThrottlePolicy(), at: clock.now)
            #expect(entries.map(\.failures) == [5])
            #expect(
                try await store.clearThrottle(username: "alice", address: nil, at: clock.now, context: .commandLine)
                    == 5)
            _ = try await login(client)
            let row = try #require(try await store.recentAudit(limit: 2).last)
            #expect(row.entry.event == .throttleClear && row.entry.username == "alice")
        }
    }
}
