import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// User agents are capped in the audit log on a character boundary, never blanked.
@Suite struct UserAgentTests {
    @Test func aCapInsideAMultiByteCharacterKeepsEverythingBeforeIt() {
        let limit = AuthRoutes.maxUserAgentBytes
        let agent = String(repeating: "a", count: limit - 1) + "é" + "tail"
        #expect(AuthRoutes.prefix(of: agent, utf8Bytes: limit) == String(repeating: "a", count: limit - 1))
        #expect(AuthRoutes.prefix(of: "curl/8.5.0", utf8Bytes: limit) == "curl/8.5.0")
        #expect(AuthRoutes.prefix(of: "ééé", utf8Bytes: 5) == "éé")
        #expect(AuthRoutes.prefix(of: "🔑🔑", utf8Bytes: 3) == "")
    }

    @Test func theAuditRowKeepsTheAgentUpToTheCap() async throws {
        let app = try await TestApp()
        let store = app.store
        let agent = String(repeating: "a", count: AuthRoutes.maxUserAgentBytes - 1) + "é"
        try await app.test { client in
            var headers = Header.basic("alice", "secret")
            headers[.userAgent] = agent
            try await client.execute(uri: loginPath, method: .post, headers: headers) { response in
                #expect(response.status == .ok)
            }
            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.entry.context.userAgent == String(repeating: "a", count: AuthRoutes.maxUserAgentBytes - 1))
        }
    }
}
