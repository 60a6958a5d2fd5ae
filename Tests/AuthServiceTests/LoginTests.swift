import AuthStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

@Suite struct LoginTests {
    @Test func successBodyAndToken() async throws {
        let app = try await TestApp()
        let store = app.store
        try await app.test { client in
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "secret")) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(response.headers[.requestID]?.isEmpty == false)
                let token = response.bearer
                #expect(token.count == 43)
                #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
                #expect(
                    response.shape
                        == #"{"status":0,"description":"handlerAuthLogin:succsessfully","apiver":"\#(apiver)","user":"alice","bearer":"\#(token)","time":"T"}"#
                )
            }
            let audit = try await store.recentAudit(limit: 1)
            let row = try #require(audit.first)
            #expect(row.entry.event == .login)
            #expect(row.entry.outcome == .success)
            #expect(row.entry.username == "alice")
            #expect(row.entry.session.count == 16)
            let sessions = try await store.sessions(username: "alice")
            #expect(sessions.map(\.id) == [row.entry.session])
        }
    }

    @Test func unknownUserWrongPasswordAndDisabledLookAlikeAndCostOneHashEach() async throws {
        let app = try await TestApp(users: [("alice", "secret"), ("dora", "secret")])
        try await app.store.setDisabled(name: "dora", true, at: app.clock.now, context: .commandLine)
        let store = app.store
        let pool = app.pool
        try await app.test { client in
            var bodies: [String] = []
            for (user, password, reason) in [
                ("nobody", "secret", AuditReason.unknownUser), ("alice", "wrong", .badPassword),
                ("dora", "secret", .disabled),
            ] {
                let before = pool.completedJobs
                try await client.execute(uri: loginPath, method: .post, headers: Header.basic(user, password)) {
                    response in
                    #expect(response.status == .unauthorized)
                    bodies.append(response.shape)
                }
                #expect(pool.completedJobs == before + 1, "exactly one PBKDF2 run for \(reason)")
                let row = try #require(try await store.recentAudit(limit: 1).first)
                #expect(row.entry.event == .login && row.entry.outcome == .failure && row.entry.reason == reason)
                #expect(row.entry.username == user)
            }
            #expect(Set(bodies) == [errorShape(401, "Unauthorized")])
            #expect(try await store.sessions(username: nil).isEmpty)
        }
    }

    @Test func malformedRequestsAre400AndAudited() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let headers: [HTTPFields] = [
                [:],
                [.authorization: "Bearer abc"],
                [.authorization: "Digest abc"],
                [.authorization: "Basic %%%"],
                [.authorization: "Basic " + Data("nocolon".utf8).base64EncodedString()],
                [.authorization: "Basic " + Data(":pw".utf8).base64EncodedString()],
                [.authorization: "Basic " + Data([0x61, 0xff, 0x3a, 0x61]).base64EncodedString()],
                [
                    .authorization: "Basic "
                        + Data("u:\(String(repeating: "p", count: 1025))".utf8).base64EncodedString()
                ],
                Header.basic("alice", "secret") + [.contentType: "text/plain"],
            ]
            for header in headers {
                try await client.execute(uri: loginPath, method: .post, headers: header) { response in
                    #expect(response.status == .badRequest, "\(header)")
                    #expect(response.shape == errorShape(400, "Bad Request"))
                }
            }
        } afterShutdown: { store in
            // Refusals that checked no secret: a few rows of their own, the rest in one sum,
            // every request accounted for.
            let audit = try await store.queryAudit(AuditQuery(events: [.login]))
            #expect(audit.allSatisfy { $0.entry.reason == .malformed })
            #expect(audit.map(\.entry.count).reduce(0, +) == 9)
            #expect(audit.count == RefusalAuditPolicy().perAddress + 1)
        }
    }

    /// `alice ` would reach an application behind nginx as `X-Auth-User: alice` (HTTP trims
    /// header values). A name that breaks the username rule is malformed, like an empty
    /// one: 400 and audited as such, on login and on Basic logout, never a 401 after a lookup.
    @Test(arguments: ["alice ", " alice", "alice\t", "alice\u{A0}", "al\u{85}ice", "al\u{202E}ice"])
    func usernameBreakingTheRuleIs400(name: String) async throws {
        let app = try await TestApp(users: [("alice", "secret")])
        let store = app.store
        try await app.test(.live) { client in
            for path in [loginPath, logoutPath] {
                try await client.execute(uri: path, method: .post, headers: Header.basic(name, "secret")) { response in
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(response.shape == errorShape(400, "Bad Request"))
                }
            }
            let audit = try await store.recentAudit(limit: 2)
            #expect(audit.map(\.entry.event) == [.logout, .login])
            #expect(audit.allSatisfy { $0.entry.outcome == .failure && $0.entry.reason == .malformed })
            #expect(try await store.sessions(username: nil).isEmpty)
            // The real name still works.
            _ = try await login(client)
        }
    }

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"])
    func jsonContentTypesAreAccepted(_ contentType: String) async throws {
        let app = try await TestApp()
        try await app.test { client in
            try await client.execute(
                uri: loginPath, method: .post,
                headers: Header.basic("alice", "secret") + [.contentType: contentType],
                body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func oversizedBodyIsRefused() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: APIMiddleware.maxBodyBytes + 1)
            try await client.execute(
                uri: loginPath, method: .post, headers: Header.basic("alice", "secret"), body: body
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.shape == errorShape(413, "Request Entity Too Large"))
            }
        }
    }

    @Test func weakerStoredHashIsRehashedOnLogin() async throws {
        let app = try await TestApp(users: [("alice", "secret")], iterations: 500)
        let store = app.store
        try await app.test { client in
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "secret")) {
                response in
                #expect(response.status == .ok)
            }
            let user = try #require(try await store.user(named: "alice"))
            #expect(PHCHash(user.passwordHash)?.iterations == TestApp.iterations)
            #expect(
                PasswordHasher(iterations: TestApp.iterations).verify("secret", against: user.passwordHash)
                    == .match(needsRehash: false))
        }
    }
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}
