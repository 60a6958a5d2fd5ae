import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// The same flows over a real socket on 127.0.0.1, through NIO's HTTP/1 pipeline.
@Suite struct LiveServerTests {
    @Test func loginVerifyLogoutOverTCP() async throws {
        let app = try await TestApp()
        let store = app.store
        try await app.test(.live) { client in
            let token = try await login(client)
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.authUser] == "alice")
            }
            try await client.execute(uri: logoutPath, method: .post, headers: Header.bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(
                    response.shape
                        == #"{"status":0,"description":"handlerAuthLogout:succsessfully","apiver":"\#(apiver)","user":"alice","bearer":"","time":"T"}"#
                )
            }
            try await client.execute(uri: logoutPath, method: .post, headers: Header.bearer(token)) { response in
                #expect(response.status == .unauthorized)
            }
            let row = try #require(try await store.recentAudit(limit: 3).last)
            // Over a real socket the peer address is recorded.
            #expect(row.entry.context.address == "127.0.0.1")
            #expect(row.entry.event == .login)
        }
    }

    /// Verify and Bearer logout hash nothing: with every PBKDF2 thread blocked they are
    /// still answered, so a login flood cannot starve them.
    @Test func verifyAndLogoutAreServedWhileEveryHashingThreadIsBusy() async throws {
        let app = try await TestApp()
        let pool = app.pool
        try await app.test(.live) { client in
            let first = try await login(client)
            let second = try await login(client)
            let release = await pool.occupyEveryThread()
            let completedBefore = pool.completedJobs
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(first)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: logoutPath, method: .post, headers: Header.bearer(second)) { response in
                #expect(response.status == .ok)
            }
            #expect(pool.completedJobs == completedBefore)
            try await release()
        }
    }

    @Test func errorsOverTCPCarryTheContractBody() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "nope")) {
                response in
                #expect(response.status == .unauthorized)
                #expect(response.shape == errorShape(401, "Unauthorized"))
                #expect(response.headers[.requestID] != nil)
            }
            try await client.execute(uri: "/missing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.shape == errorShape(404, "Not Found"))
            }
        }
    }
}
