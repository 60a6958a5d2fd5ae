import AuthStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService
@testable import AuthStore

/// `/healthz` reports whether the store can write, not only whether it answers reads.
@Suite struct HealthTests {
    private let healthPath = AuthRoutes.healthPath

    /// The issue's full disk: logins got 500 while `/healthz` said ok. Simulated with a page
    /// limit on the writer connection, which fails writes with SQLITE_FULL as a full disk does.
    @Test func fullDiskIs503UntilAWriteSucceedsAgain() async throws {
        let app = try await TestApp()
        let store = app.store
        try await app.test(.live) { client in
            try await client.execute(uri: healthPath, method: .get) { #expect($0.status == .ok) }

            try await store.writer.withConnection { try $0.execute("PRAGMA max_page_count = 1") }
            // Log in until the database has to grow and cannot: real writes, no waiting.
            var headers = Header.basic("alice", "secret")
            headers[.userAgent] = String(repeating: "u", count: AuthRoutes.maxUserAgentBytes)
            var failed = false
            for _ in 0..<200 where !failed {
                let status = try await client.execute(uri: loginPath, method: .post, headers: headers) { $0.status }
                failed = status == .internalServerError
                if !failed { #expect(status == .ok) }
            }
            try #require(failed, "the database never filled up")

            try await client.execute(uri: healthPath, method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.shape == errorShape(503, "Service Unavailable"))
            }

            // Space is back: the next login commits, and health with it.
            try await store.writer.withConnection { try $0.execute("PRAGMA max_page_count = 1073741823") }
            _ = try await login(client)
            try await client.execute(uri: healthPath, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"status":"ok"}"#)
            }
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }
}
