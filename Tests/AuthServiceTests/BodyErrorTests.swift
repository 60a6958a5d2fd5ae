import AuthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// Request bodies that cannot be read: answered 400 or 413 with the contract's body and
/// audited as `malformed`, never a 500. Raw sockets, since an HTTP client would refuse to
/// send any of them.
@Suite struct BodyErrorTests {
    static let head =
        "POST \(AuthRoutes.loginPath) HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\n"

    /// A chunked body one byte over the cap, in 4 KiB chunks.
    static var oversizedChunks: String {
        let chunk = String(repeating: "z", count: 4096)
        let count = APIMiddleware.maxBodyBytes / 4096
        return String(repeating: "1000\r\n\(chunk)\r\n", count: count) + "1\r\nz\r\n0\r\n\r\n"
    }

    static let cases: [(name: String, request: String, status: String, body: String)] = [
        (
            "unknown transfer coding", head + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 400 Bad Request", errorShape(400, "Bad Request")
        ),
        (
            "chunk size overflow", head + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 400 Bad Request", errorShape(400, "Bad Request")
        ),
        (
            "bare LF chunk framing", head + "Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
            "HTTP/1.1 400 Bad Request", errorShape(400, "Bad Request")
        ),
        (
            "chunked body over the cap", head + "Transfer-Encoding: chunked\r\n\r\n" + oversizedChunks,
            "HTTP/1.1 413 Payload Too Large", errorShape(413, "Request Entity Too Large")
        ),
    ]

    @Test(arguments: cases.indices)
    func unreadableBodyIsAClientErrorAndAuditedAsMalformed(index: Int) async throws {
        let sample = Self.cases[index]
        let app = try await TestApp()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(10))
            connection.send(sample.request)
            let text = try await connection.response()
            let parts = text.components(separatedBy: "\r\n\r\n")
            #expect(parts[0].components(separatedBy: "\r\n")[0] == sample.status, "\(sample.name): \(text)")
            let body = parts.dropFirst().joined(separator: "\r\n\r\n")
                .replacing(#/"time":"[^"]*"/#, with: #""time":"T""#)
            #expect(body == sample.body, "\(sample.name): \(text)")
            if sample.status.contains(" 400 ") {
                // What follows broken framing cannot be read as a request: the connection ends.
                #expect(try await connection.untilClosed().isEmpty, "\(sample.name)")
            }
            // Still serving.
            _ = try await login(client)
        } afterShutdown: { store in
            let rows = try await store.queryAudit(AuditQuery(events: [.login], limit: 100))
            #expect(
                rows.filter { $0.entry.reason == .malformed }.map(\.entry.count).reduce(0, +) == 1,
                "\(sample.name): \(rows.map(\.entry.reason))")
        }
    }
}
