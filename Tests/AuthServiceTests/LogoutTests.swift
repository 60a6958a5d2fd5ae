import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// Logs in and returns the bearer token.
func login(_ client: some TestClientProtocol, _ user: String = "alice", _ password: String = "secret") async throws
    -> String
{
    try await client.execute(uri: loginPath, method: .post, headers: Header.basic(user, password)) { response in
        #expect(response.status == .ok)
        return response.bearer
    }
}

@Suite struct LogoutTests {
    @Test func bearerLogoutWorksExactlyOnce() async throws {
        let app = try await TestApp()
        let store = app.store
        try await app.test { client in
            let token = try await login(client)
            try await client.execute(uri: logoutPath, method: .post, headers: Header.bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(
                    response.shape
                        == #"{"status":0,"description":"handlerAuthLogout:succsessfully","apiver":"\#(apiver)","user":"alice","bearer":"","time":"T"}"#
                )
            }
            try await client.execute(uri: logoutPath, method: .post, headers: Header.bearer(token)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.shape == errorShape(401, "Unauthorized"))
            }
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) { response in
                #expect(response.status == .unauthorized)
            }
            let events = try await store.recentAudit(limit: 4).map {
                "\($0.entry.event.rawValue):\($0.entry.outcome.rawValue):\($0.entry.reason?.rawValue ?? "")"
            }
            #expect(
                events == ["verify:failure:bad_token", "logout:failure:bad_token", "logout:success:", "login:success:"])
        }
    }

    @Test func basicLogoutEndsEverySessionAndCarriesURLLink() async throws {
        let app = try await TestApp(users: [("alice", "secret"), ("bob", "hunter2")])
        let store = app.store
        try await app.test { client in
            let first = try await login(client)
            let second = try await login(client)
            let bobs = try await login(client, "bob", "hunter2")
            try await client.execute(uri: logoutPath, method: .post, headers: Header.basic("alice", "secret")) {
                response in
                #expect(response.status == .ok)
                #expect(
                    response.shape
                        == #"{"status":0,"description":"handlerAuthLogout:succsessfully","apiver":"\#(apiver)","user":"alice","bearer":"","urllink":"https://example.com/bye","time":"T"}"#
                )
            }
            for token in [first, second] {
                try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(bobs)) { response in
                #expect(response.status == .ok)
            }
            #expect(try await store.sessions(username: "alice").isEmpty)
        }
    }

    @Test func basicLogoutWithBadCredentialsIs401AndEndsNothing() async throws {
        let app = try await TestApp()
        let store = app.store
        try await app.test { client in
            let token = try await login(client)
            try await client.execute(uri: logoutPath, method: .post, headers: Header.basic("alice", "wrong")) {
                response in
                #expect(response.status == .unauthorized)
            }
            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.entry.event == .logoutAll && row.entry.reason == .badPassword)
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func malformedLogoutIs400() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for header: HTTPFields in [[:], [.authorization: "Token x"], [.authorization: "Bearer "]] {
                try await client.execute(uri: logoutPath, method: .post, headers: header) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.shape == errorShape(400, "Bad Request"))
                }
            }
        }
    }
}

@Suite struct VerifyTests {
    @Test func validTokenGives200AndXAuthUser() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let token = try await login(client)
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.authUser] == "alice")
                #expect(
                    response.shape
                        == #"{"status":0,"description":"handlerAuthVerify:successfully","apiver":"\#(apiver)","user":"alice","bearer":"","time":"T"}"#
                )
            }
        }
    }

    @Test func anythingButAValidBearerIs401() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for header: HTTPFields in [[:], Header.basic("alice", "secret"), Header.bearer("not-a-token")] {
                try await client.execute(uri: verifyPath, method: .get, headers: header) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.shape == errorShape(401, "Unauthorized"))
                }
            }
        }
    }

    @Test func absoluteLifetimeEndsTheSession() async throws {
        var app = try await TestApp()
        app.configuration.policy = SessionPolicy(lifetime: .seconds(3600), idleTimeout: nil)
        let clock = app.clock
        let store = app.store
        try await app.test { client in
            let token = try await login(client)
            clock.advance(.seconds(3599))
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) {
                #expect($0.status == .ok)
            }
            clock.advance(.seconds(1))
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) {
                #expect($0.status == .unauthorized)
            }
            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.entry.event == .verify && row.entry.reason == .expired && row.entry.username == "alice")
            #expect(try await store.sessions(username: nil).isEmpty)
        }
    }

    @Test func idleTimeoutEndsTheSessionAndUseKeepsItAlive() async throws {
        var app = try await TestApp()
        app.configuration.policy = SessionPolicy(lifetime: .seconds(86400), idleTimeout: .seconds(600))
        let clock = app.clock
        try await app.test { client in
            let token = try await login(client)
            // Used every 9 minutes: stays alive past the idle timeout in total.
            for _ in 0..<3 {
                clock.advance(.seconds(540))
                try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) {
                    #expect($0.status == .ok)
                }
            }
            // Idle for the timeout plus the minute by which last activity may lag: ended.
            clock.advance(.seconds(660))
            try await client.execute(uri: logoutPath, method: .post, headers: Header.bearer(token)) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    /// The case of issue 12: a 3 s idle timeout and a client verifying every 2 s. Last
    /// activity used to be written once a minute whatever the timeout, so the second
    /// verify found the session idle.
    @Test func shortIdleTimeoutKeepsASessionUsedWithinIt() async throws {
        var app = try await TestApp()
        app.configuration.policy = SessionPolicy(lifetime: .seconds(86400), idleTimeout: .seconds(3))
        let clock = app.clock
        try await app.test { client in
            let token = try await login(client)
            for _ in 0..<20 {
                clock.advance(.seconds(2))
                try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) {
                    #expect($0.status == .ok)
                }
            }
            // Left alone for the timeout plus its quarter: ended.
            clock.advance(.milliseconds(3750))
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(token)) {
                #expect($0.status == .unauthorized)
            }
        }
    }
}

@Suite struct RoutingTests {
    @Test func unknownPathIs404() async throws {
        let app = try await TestApp()
        try await app.test { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.shape == errorShape(404, "Not Found"))
                #expect(response.headers[.requestID] != nil)
            }
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for (path, method, allow) in [
                (loginPath, HTTPRequest.Method.get, "POST"), (logoutPath, .put, "POST"),
                (verifyPath, .post, "GET"),
            ] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .methodNotAllowed)
                    #expect(response.headers[.allow] == allow)
                    #expect(response.shape == errorShape(405, "Method Not Allowed"))
                }
            }
        }
    }

    @Test func healthz() async throws {
        let app = try await TestApp()
        let latest = try #require(try await app.store.migrationStatus().map(\.version).max())
        try await app.test { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"status":"ok"}"#)
                #expect(response.headers[.schemaVersion] == String(latest))
            }
            app.readiness.beginShutdown()
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.shape == errorShape(503, "Service Unavailable"))
            }
        }
    }

    @Test func healthzIs503WhenTheDatabaseDoesNotAnswer() async throws {
        let app = try await TestApp()
        try await app.test { client in
            await app.store.close()
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.shape == errorShape(503, "Service Unavailable"))
            }
        }
    }

    @Test func requestIDsDiffer() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let first = try await client.execute(uri: "/healthz", method: .get) { $0.headers[.requestID] }
            let second = try await client.execute(uri: "/healthz", method: .get) { $0.headers[.requestID] }
            #expect(first != nil && first != second)
        }
    }
}
