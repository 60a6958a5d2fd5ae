import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// `/metrics` after real traffic: every counter moved by exactly what was done.
@Suite struct MetricsTests {
    /// One sample line: `name{label="value",…} number`.
    struct Sample: Hashable {
        let name: String
        let labels: [String: String]
    }

    /// Parses Prometheus text format, requiring every line to be a comment or a sample.
    static func parse(_ text: String) throws -> [Sample: Double] {
        var samples: [Sample: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let match = try #require(line.wholeMatch(of: #/([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/#), "\(line)")
            var labels: [String: String] = [:]
            if let body = match.3 {
                for pair in body.matches(of: #/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/#) {
                    labels[String(pair.1)] = String(pair.2)
                }
            }
            samples[Sample(name: String(match.1), labels: labels)] = try #require(Double(match.4), "\(line)")
        }
        return samples
    }

    @Test func countersFollowTraffic() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            let kept = try await login(client)
            let ended = try await login(client)
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "wrong")) { _ in }
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("nobody", "secret")) { _ in }
            try await client.execute(uri: logoutPath, method: .post, headers: Header.bearer(ended)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(kept)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: verifyPath, method: .get, headers: Header.bearer(ended)) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/no/such/path", method: .get) { #expect($0.status == .notFound) }

            let text = try await client.execute(uri: MetricsEndpoint.path, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                return response.text
            }
            let samples = try Self.parse(text)
            func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
                samples[Sample(name: name, labels: labels)]
            }
            #expect(value("authd_logins_total", ["outcome": "success", "reason": "none"]) == 2)
            // On the API port (--metrics-on-api-port) a wrong password and an unknown user are
            // one reason, so the counters cannot tell which usernames exist.
            #expect(value("authd_logins_total", ["outcome": "failure", "reason": "invalid_credentials"]) == 2)
            #expect(
                !samples.keys.contains { ["bad_password", "unknown_user", "disabled"].contains($0.labels["reason"]) })
            #expect(value("authd_logouts_total", ["outcome": "success", "reason": "none"]) == 1)
            #expect(value("authd_verifies_total", ["outcome": "success", "reason": "none"]) == 1)
            #expect(value("authd_verifies_total", ["outcome": "failure", "reason": "bad_token"]) == 1)

            let login200 = ["route": loginPath, "method": "POST", "status": "200"]
            #expect(value("authd_http_request_duration_seconds_count", login200) == 2)
            #expect(
                value(
                    "authd_http_request_duration_seconds_count",
                    ["route": loginPath, "method": "POST", "status": "401"]) == 2)
            #expect(
                value(
                    "authd_http_request_duration_seconds_count",
                    ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
            #expect((value("authd_http_request_duration_seconds_sum", login200) ?? 0) > 0)
            #expect(value("authd_http_request_duration_seconds_bucket", login200.merging(["le": "+Inf"]) { $1 }) == 2)
            #expect(!samples.keys.contains { $0.labels["route"] == "/no/such/path" })

            // Four password checks, one PBKDF2 run each; none waiting now.
            #expect(value("authd_pbkdf2_duration_seconds_count") == 4)
            #expect(value("authd_pbkdf2_queue_depth") == 0)
            // Every write committed: two logins, two failures, a logout, a failed verify (audited).
            let batches = try #require(value("authd_db_writer_batch_size_count"))
            let writes = try #require(value("authd_db_writer_batch_size_sum"))
            #expect(batches >= 1 && writes >= 6)
            #expect(value("authd_db_commit_duration_seconds_count") == batches)
            // Six audited writes changed rows, so their commits appended WAL frames.
            #expect((value("authd_db_pages_written_total") ?? 0) >= 6)
            #expect(value("authd_sessions_live") == 1)
            #expect((value("authd_database_size_bytes") ?? 0) > 0)
        }
    }

    /// Store statistics are read at most once a second: a burst of scrapes costs one count
    /// of the sessions, and the gauge catches up once a second has passed.
    @Test func storeGaugesAreReadAtMostOncePerSecond() async throws {
        let app = try await TestApp()
        try await app.test(.router) { client in
            func liveSessions() async throws -> Double? {
                let text = try await client.execute(uri: MetricsEndpoint.path, method: .get) { $0.text }
                return try Self.parse(text)[Sample(name: "authd_sessions_live", labels: [:])]
            }
            _ = try await login(client)
            let first = try await liveSessions()
            #expect(first == 1)
            _ = try await login(client)
            #expect(try await liveSessions() == 1)
            app.clock.advance(.milliseconds(999))
            #expect(try await liveSessions() == 1)
            app.clock.advance(.milliseconds(1))
            #expect(try await liveSessions() == 2)
        }
    }

    /// The `--metrics-port` listener has the API listener's connection limits: garbage gets
    /// the contract's 400 body and an idle connection is closed.
    @Test func separateMetricsListenerIsHardenedLikeTheAPI() async throws {
        var app = try await TestApp()
        app.configuration.connectionIdleTimeout = .milliseconds(300)
        try await app.testMetricsListener { client in
            // Raw connections only: the test client's own connection, opened up front, may
            // itself be closed as idle before it is used.
            let port = try #require(client.port)
            let scrape = try RawConnection(port: port, timeout: .seconds(10))
            scrape.send("GET \(MetricsEndpoint.path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let scraped = String(decoding: try scrape.readUntilClosed(), as: UTF8.self)
            #expect(
                scraped.hasPrefix("HTTP/1.1 200 OK\r\n") && scraped.contains("authd_pbkdf2_queue_depth"), "\(scraped)")
            let garbage = try RawConnection(port: port, timeout: .seconds(10))
            garbage.send("\u{1}\u{2} not http\r\n\r\n")
            let answer = String(decoding: try garbage.readUntilClosed(), as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer)")
            #expect(answer.contains(#"{"status":400,"description":"Bad Request","apiver":"#), "\(answer)")
            // Connected and silent: closed after the idle timeout, long before the 10 s the
            // receive waits.
            let idle = try RawConnection(port: port, timeout: .seconds(10))
            #expect(try idle.readUntilClosed().isEmpty)
        }
    }

    /// Without `--metrics-on-api-port` the API port has no `/metrics` at all.
    @Test func noMetricsOnTheAPIPortByDefault() async throws {
        var app = try await TestApp()
        app.configuration.metricsOnAPIPort = false
        try await app.test(.router) { client in
            try await client.execute(uri: MetricsEndpoint.path, method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.shape == errorShape(404, "Not Found"))
            }
        }
    }

    /// The `--metrics-port` listener, loopback by default, shows every reason as counted.
    @Test func separateListenerShowsEveryFailureReason() async throws {
        let app = try await TestApp()
        for reason in ["unknown_user", "bad_password", "bad_password", "disabled"] {
            app.metrics.attempt(.login, failure: reason)
        }
        try await app.testMetricsListener { client in
            let samples = try await Self.parse(client.execute(uri: MetricsEndpoint.path, method: .get) { $0.text })
            func failures(_ reason: String) -> Double? {
                samples[Sample(name: "authd_logins_total", labels: ["outcome": "failure", "reason": reason])]
            }
            #expect(failures("unknown_user") == 1)
            #expect(failures("bad_password") == 2)
            #expect(failures("disabled") == 1)
            #expect(failures("invalid_credentials") == nil)
        }
    }

    /// The merge sums per series and leaves every other line as it was.
    @Test func credentialFailuresAreMergedPerSeries() {
        let text = """
            # TYPE authd_logins_total counter
            authd_logins_total{outcome="failure",reason="unknown_user"} 3
            authd_logins_total{outcome="success",reason="none"} 7
            authd_logins_total{outcome="failure",reason="bad_password"} 4
            authd_logouts_total{outcome="failure",reason="disabled"} 1
            authd_logins_total{outcome="failure",reason="throttled"} 2
            """
        #expect(
            CredentialFailureMerge.apply(text) == """
                # TYPE authd_logins_total counter
                authd_logins_total{outcome="failure",reason="invalid_credentials"} 7
                authd_logins_total{outcome="success",reason="none"} 7
                authd_logouts_total{outcome="failure",reason="invalid_credentials"} 1
                authd_logins_total{outcome="failure",reason="throttled"} 2
                """)
    }

    @Test func throttledAndMalformedAttemptsAreCountedWithTheirReason() async throws {
        var app = try await TestApp()
        app.configuration.throttle = .init(perUserAndAddress: 1, perAddress: 100, window: .seconds(300))
        try await app.test(.router) { client in
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "wrong")) { _ in }
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "wrong")) {
                #expect($0.status == .tooManyRequests)
            }
            try await client.execute(uri: loginPath, method: .post, headers: [.authorization: "Basic !!"]) {
                #expect($0.status == .badRequest)
            }
            let samples = try await Self.parse(client.execute(uri: MetricsEndpoint.path, method: .get) { $0.text })
            #expect(
                samples[Sample(name: "authd_logins_total", labels: ["outcome": "failure", "reason": "throttled"])] == 1)
            #expect(
                samples[Sample(name: "authd_logins_total", labels: ["outcome": "failure", "reason": "malformed"])] == 1)
            #expect(samples[Sample(name: "authd_pbkdf2_duration_seconds_count", labels: [:])] == 1)
        }
    }
}
