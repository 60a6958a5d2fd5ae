import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// The throttle counts one client once, however its address is written: an IPv6 client by
/// its /64, an IPv4-mapped address as IPv4, every spelling of an address alike.
@Suite struct ThrottleIdentityTests {
    func app() async throws -> TestApp {
        var app = try await TestApp()
        // The test client on 127.0.0.1 plays the proxy, so X-Forwarded-For names the client.
        app.configuration.trustedProxies = [try #require(CIDR("127.0.0.1"))]
        return app
    }

    func attempt(_ client: some TestClientProtocol, from address: String) async throws -> HTTPResponse.Status {
        var headers = Header.basic("alice", "wrong")
        headers[.forwardedFor] = address
        return try await client.execute(uri: loginPath, method: .post, headers: headers) { $0.status }
    }

    @Test func oneIPv6SlashSixtyFourIsOneClient() async throws {
        let app = try await app()
        let (store, clock) = (app.store, app.clock)
        try await app.test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            for host in 1...60 { statuses.append(try await attempt(client, from: "2001:db8:9:9::\(host)")) }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 55)
            // Another /64 is another client.
            #expect(try await attempt(client, from: "2001:db8:9:a::1") == .unauthorized)
            let entries = try await store.throttleEntries(policy: ThrottlePolicy(), at: clock.now)
            #expect(Set(entries.map(\.address)) == ["2001:db8:9:9::/64", "2001:db8:9:a::/64"])
        }
    }

    @Test func spellingsOfOneAddressShareACounter() async throws {
        let app = try await app()
        let store = app.store
        try await app.test(.live) { client in
            let spellings = [
                "2001:DB8:1:2::1", "2001:db8:1:2:0:0:0:1", "2001:0db8:0001:0002::0001", "2001:db8:1:2::1",
                "2001:db8:1:2::1",
            ]
            for spelling in spellings { #expect(try await attempt(client, from: spelling) == .unauthorized) }
            #expect(try await attempt(client, from: "2001:db8:1:2::1") == .tooManyRequests)
            for _ in 0..<5 { #expect(try await attempt(client, from: "::ffff:203.0.113.9") == .unauthorized) }
            #expect(try await attempt(client, from: "203.0.113.9") == .tooManyRequests)
            // The audit log shows the canonical address.
            let rows = try await store.queryAudit(AuditQuery(outcome: .failure, limit: 100))
            #expect(Set(rows.map(\.entry.context.address)) == ["2001:db8:1:2::1", "203.0.113.9"])
        }
    }

    @Test func anOperatorClearsAClientByAnySpelling() async throws {
        let app = try await app()
        let (store, clock) = (app.store, app.clock)
        try await app.test(.live) { client in
            for _ in 0..<5 { _ = try await attempt(client, from: "2001:db8:5:5::7") }
            #expect(try await attempt(client, from: "2001:db8:5:5::8") == .tooManyRequests)
            let cleared = try await store.clearThrottle(
                username: nil, address: "2001:DB8:5:5:0:0:0:99", at: clock.now, context: .commandLine)
            #expect(cleared == 5)
            #expect(try await attempt(client, from: "2001:db8:5:5::8") == .unauthorized)
        }
    }
}
