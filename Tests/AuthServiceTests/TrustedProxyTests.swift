import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

@Suite struct TrustedProxyTests {
    @Test func forwardedForIsBelievedOnlyFromATrustedPeer() async throws {
        var app = try await TestApp()
        app.configuration.trustedProxies = [try #require(CIDR("127.0.0.0/8"))]
        let store = app.store
        try await app.test(.live) { client in
            var headers = Header.basic("alice", "secret")
            headers[.forwardedFor] = "6.6.6.6, 198.51.100.23"
            try await client.execute(uri: loginPath, method: .post, headers: headers) { #expect($0.status == .ok) }
            #expect(try await store.recentAudit(limit: 1).first?.entry.context.address == "198.51.100.23")
        }
    }

    @Test func forwardedForFromAnUntrustedPeerIsIgnored() async throws {
        let app = try await TestApp()
        let store = app.store
        try await app.test(.live) { client in
            var headers = Header.basic("alice", "secret")
            headers[.forwardedFor] = "198.51.100.23"
            try await client.execute(uri: loginPath, method: .post, headers: headers) { #expect($0.status == .ok) }
            #expect(try await store.recentAudit(limit: 1).first?.entry.context.address == "127.0.0.1")
        }
    }
}
