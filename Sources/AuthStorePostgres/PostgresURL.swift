import AuthStore

/// A `postgres://` or `postgresql://` URL in libpq's form, parsed strictly.
///
/// `postgres://USER:PASSWORD@HOST:PORT/DBNAME?sslmode=MODE&sslrootcert=FILE`. Only those
/// parts are accepted: an unknown query parameter is an error rather than something quietly
/// ignored (a mistyped `sslmode` must not turn TLS off). Percent-escapes are decoded in the
/// user, password and database name. The password never appears in ``redacted``, which is
/// what logs, errors and `--print-config` show.
public struct PostgresURL: Sendable, Equatable {
    /// How the connection is protected; libpq's names. `prefer` and `allow` are refused:
    /// an attacker on the path can make them fall back to plain text.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS: only sensible on loopback or a private network.
        case disable
        /// TLS without checking the server's certificate.
        case require
        /// TLS, certificate signed by `sslrootcert`, any host name.
        case verifyCA = "verify-ca"
        /// TLS, certificate signed by `sslrootcert` (or the system's roots) for this host.
        case verifyFull = "verify-full"
    }

    public let user: String
    public let password: String?
    public let host: String
    public let port: Int
    public let database: String
    public let sslMode: SSLMode
    public let sslRootCert: String?

    /// The URL with the password replaced by `***`, fit for logs and error messages.
    public var redacted: String {
        var text = "postgres://\(user)\(password == nil ? "" : ":***")@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        text += "?sslmode=\(sslMode.rawValue)"
        if let sslRootCert { text += "&sslrootcert=\(sslRootCert)" }
        return text
    }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; the error says what is wrong without repeating the password.
    public init(_ text: String) throws(StoreError) {
        guard let schemeEnd = text.range(of: "://"),
            ["postgres", "postgresql"].contains(String(text[..<schemeEnd.lowerBound]))
        else { throw Self.invalid("it must start with postgres:// or postgresql://") }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if rest.contains("#") { throw Self.invalid("a fragment (#) is not allowed") }
        guard let slash = rest.firstIndex(of: "/") else { throw Self.invalid("it names no database (/DBNAME)") }
        let authority = rest[..<slash]
        let database = try Self.decode(rest[rest.index(after: slash)...], "database name")
        guard !database.isEmpty, !database.contains("/") else { throw Self.invalid("it names no database (/DBNAME)") }

        var hostPort = authority
        var user = "", password: String? = nil
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decode(credentials[..<colon], "user")
                password = try Self.decode(credentials[credentials.index(after: colon)...], "password")
            } else {
                user = try Self.decode(credentials, "user")
            }
        }
        guard !user.isEmpty else { throw Self.invalid("it names no user (USER@HOST)") }

        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw Self.invalid("unclosed [ in the host") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Self.invalid("unexpected text after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw Self.invalid("it names no host") }
        guard !host.contains(","), !(portText?.contains(",") ?? false) else {
            throw Self.invalid("several hosts are not supported")
        }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw Self.invalid("the port must be a number from 1 to 65535")
            }
            port = value
        }

        var sslMode: SSLMode?
        var sslRootCert: String?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else { throw Self.invalid("parameter \(pair) has no value") }
            let key = String(pair[..<equals])
            let value = try Self.decode(pair[pair.index(after: equals)...], key)
            switch key {
            case "sslmode":
                guard sslMode == nil else { throw Self.invalid("sslmode is given twice") }
                guard let mode = SSLMode(rawValue: value) else {
                    let hint =
                        value == "prefer" || value == "allow"
                        ? " (\(value) can silently fall back to plain text; authd refuses it)" : ""
                    throw Self.invalid(
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))\(hint)")
                }
                sslMode = mode
            case "sslrootcert":
                guard sslRootCert == nil else { throw Self.invalid("sslrootcert is given twice") }
                sslRootCert = value
            default:
                throw Self.invalid("unknown parameter \(key) (only sslmode and sslrootcert are accepted)")
            }
        }
        let hostName = String(host)
        self.user = user
        self.password = password
        self.host = hostName
        self.port = port
        self.database = database
        // Unencrypted is the default only where nothing travels over a network.
        self.sslMode = sslMode ?? (Self.isLoopback(hostName) ? .disable : .verifyFull)
        self.sslRootCert = sslRootCert
        if self.sslMode == .verifyCA, sslRootCert == nil {
            throw Self.invalid("sslmode=verify-ca needs sslrootcert=FILE")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private static func invalid(_ reason: String) -> StoreError {
        StoreError(.invalidInput, "invalid PostgreSQL URL: \(reason)")
    }

    /// Percent-decodes `text`; a malformed escape or bytes that are not UTF-8 are errors.
    private static func decode(_ text: Substring, _ part: String) throws(StoreError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("bad percent-escape in the \(part)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw invalid("the \(part) is not UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
