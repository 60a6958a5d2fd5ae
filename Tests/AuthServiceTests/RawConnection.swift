import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain blocking TCP connection to 127.0.0.1, for sending what no HTTP client would:
/// oversized or malformed heads, requests dripped a few bytes at a time, connections held
/// open. (authdTests compiles this same file through a symbolic link.)
///
/// Reads block; from async tests use the `async` forms (``response()``, ``untilClosed()``),
/// which block a thread of their own: a test holding a thread of the cooperative pool the
/// server also runs its handlers on can starve it when suites run in parallel on few cores.
/// (Unchecked Sendable: one test uses a connection from one task at a time.)
final class RawConnection: @unchecked Sendable {
    private let socketFD: Int32

    /// Connects, with `timeout` bounding every later receive so a test fails instead of
    /// hanging when the server never answers.
    init(port: Int, timeout: Duration = .seconds(30)) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socketFD)
            throw POSIXError(.init(rawValue: errno) ?? .ECONNREFUSED)
        }
        setReceiveTimeout(timeout)
    }

    deinit { close(socketFD) }

    /// Bounds every later receive by `timeout` instead.
    func setReceiveTimeout(_ timeout: Duration) {
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `bytes`; false once the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a closed peer is an EPIPE result here, not a SIGPIPE for the test process.
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Bytes received but not yet returned by ``readResponse()``.
    private var unread: [UInt8] = []

    /// One response: its head, and as many body bytes as its `Content-Length` says (none for
    /// an interim 1xx), leaving the connection open.
    /// - Throws: when the receive timeout passes first, or the connection closes mid-response.
    func readResponse() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let text = String(decoding: unread, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound]
                let headBytes = head.utf8.count + 4
                let length =
                    head.hasPrefix("HTTP/1.1 1")
                    ? 0
                    : head.split(separator: "\r\n").lazy.compactMap { line -> Int? in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                        return Int(parts[1].trimmingCharacters(in: .whitespaces))
                    }.first ?? 0
                if unread.count >= headBytes + length {
                    let response = String(decoding: unread[..<(headBytes + length)], as: UTF8.self)
                    unread.removeFirst(headBytes + length)
                    return response
                }
            }
            let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            if count == 0 { throw POSIXError(.ECONNRESET) }
            if count < 0 { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            unread += buffer[..<count]
        }
    }

    /// Everything the server sends until it closes the connection (after any bytes
    /// ``readResponse()`` has received and not returned).
    /// - Throws: when the receive timeout passes first (the server kept it open).
    func readUntilClosed() throws -> [UInt8] {
        var received = unread
        unread = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            if count == 0 { return received }
            if count < 0 {
                if errno == ECONNRESET { return received }
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            received += buffer[..<count]
        }
    }

    /// ``readResponse()`` on a thread of its own.
    func response() async throws -> String {
        try await Self.offPool { try self.readResponse() }
    }

    /// ``readUntilClosed()`` on a thread of its own.
    func untilClosed() async throws -> [UInt8] {
        try await Self.offPool { try self.readUntilClosed() }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
