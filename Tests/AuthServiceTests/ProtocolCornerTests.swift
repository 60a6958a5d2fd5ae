import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// HTTP/1.0 connection handling and `Expect`, over raw sockets: an HTTP client would hide
/// both (it frames by `Content-Length` and sends the body without waiting).
@Suite struct ProtocolCornerTests {
    private func headers(_ response: String) -> [String] {
        response.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n").dropFirst().map {
            $0.lowercased()
        }
    }

    /// HTTP/1.0 without keep-alive: answered in HTTP/1.0 and closed at once, not held open
    /// until the 60 s idle timeout (the receive gives up after 10).
    @Test func http10RequestIsAnsweredAndClosed() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(10))
            connection.send("GET \(AuthRoutes.healthPath) HTTP/1.0\r\n\r\n")
            let response = String(decoding: try await connection.untilClosed(), as: UTF8.self)
            #expect(response.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(response)")
            #expect(headers(response).contains("connection: close"), "\(response)")
            #expect(response.hasSuffix(#"{"status":"ok"}"#), "\(response)")
        }
    }

    /// HTTP/1.0 asking for keep-alive is told it is kept, and is.
    @Test func http10KeepAliveIsKept() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(10))
            for _ in 0..<2 {
                connection.send("GET \(AuthRoutes.healthPath) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try await connection.response()
                #expect(response.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(response)")
                #expect(headers(response).contains("connection: keep-alive"), "\(response)")
            }
        }
    }

    /// `Expect: 100-continue`: `100 Continue` comes before the body is sent, then the answer.
    @Test func expectContinueIsAnswered() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(10))
            connection.send(
                "POST \(loginPath) HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await connection.response()
            #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n", "\(interim)")
            connection.send("{}")
            let response = try await connection.response()
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(response)")
            #expect(response.contains(#""user":"alice""#), "\(response)")
        }
    }

    /// Any other expectation cannot be met: 417 with the contract's body.
    @Test func otherExpectationIs417() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(10))
            connection.send("GET \(AuthRoutes.healthPath) HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n")
            let response = try await connection.response()
            #expect(response.hasPrefix("HTTP/1.1 417 Expectation Failed\r\n"), "\(response)")
            let body = response.components(separatedBy: "\r\n\r\n")[1]
                .replacing(#/"time":"[^"]*"/#, with: #""time":"T""#)
            #expect(body == errorShape(417, "Expectation Failed"))
        }
    }
}
