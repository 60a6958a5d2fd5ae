import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain blocking TCP connection to 127.0.0.1, for sending what no HTTP client would:
/// oversized or malformed heads, requests dripped a few bytes at a time, connections held
/// open. (authdTests compiles this same file through a symbolic link.)
final class RawConnection {
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

    /// Everything the server sends until it closes the connection.
    /// - Throws: when the receive timeout passes first (the server kept it open).
    func readUntilClosed() throws -> [UInt8] {
        var received: [UInt8] = []
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
}
