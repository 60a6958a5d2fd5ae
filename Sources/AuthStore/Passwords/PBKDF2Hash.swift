/// A PBKDF2-HMAC hash from any of the systems authd imports from, with what is needed to
/// check it: digest, iterations, salt bytes and derived key.
///
/// Read from Django (`pbkdf2_sha256$N$salt$b64`, the salt's text is its bytes), passlib and
/// Authelia (`$pbkdf2-sha256$N$salt$hash` with passlib's "ab64" Base64; `$pbkdf2$` is
/// SHA-1), and PHC form with `i=` (authd's own; Kratos adds `,l=L`; Keycloak credentials
/// are written in it, see the README). Stored in PHC form, so a PBKDF2-SHA256 hash from
/// anywhere becomes authd's own, losslessly.
public struct PBKDF2Hash: Sendable, Equatable {
    public let digest: PBKDF2.Digest
    public let iterations: Int
    public let salt: [UInt8]
    public let key: [UInt8]

    /// Fewer iterations than this are refused: such a hash is barely slower than a bare digest.
    public static let minIterations = 1_000

    public var scheme: HashScheme {
        switch digest {
        case .sha1: .pbkdf2SHA1
        case .sha256: .pbkdf2SHA256
        case .sha512: .pbkdf2SHA512
        }
    }

    /// The PHC string authd stores: `$pbkdf2-sha256$i=N$salt$key`, standard Base64 unpadded.
    public var phc: String {
        "$\(scheme.rawValue)$i=\(iterations)$\(Base64.encodeUnpadded(salt))$\(Base64.encodeUnpadded(key))"
    }

    /// Whether `password` derives `key`, compared in constant time.
    func matches(_ password: [UInt8]) -> Bool {
        ConstantTime.equal(derive(password, iterations: iterations), key)
    }

    /// The same work as a check at `iterations`, thrown away (padding within the scheme).
    func spend(_ password: [UInt8], iterations: Int) {
        guard iterations > 0 else { return }
        _ = ConstantTime.equal(derive(password, iterations: iterations), key)
    }

    private func derive(_ password: [UInt8], iterations: Int) -> [UInt8] {
        PBKDF2.derive(digest, password: password, salt: salt, iterations: iterations, length: key.count)
    }

    /// Parses a PBKDF2 hash in any accepted form; `nil` when `text` is no PBKDF2 hash at
    /// all, so other schemes get their turn.
    static func parse(_ text: String) throws(HashProblem) -> PBKDF2Hash? {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        if let digest = djangoDigests[parts[0]] {
            let scheme = parts[0]
            guard parts.count == 4, let iterations = Int(parts[1]) else {
                throw .malformed(scheme: scheme, "expected \(scheme)$iterations$salt$hash")
            }
            guard !parts[2].isEmpty else { throw .malformed(scheme: scheme, "empty salt") }
            return try make(
                scheme, digest, iterations, salt: Array(parts[2].utf8), key: Base64.decode(Substring(parts[3])))
        }
        guard parts.count >= 2, parts[0].isEmpty, let digest = phcDigests[parts[1]] else { return nil }
        let scheme = "$\(parts[1])$"
        guard parts.count == 5 else { throw .malformed(scheme: scheme, "expected \(scheme)iterations$salt$hash") }
        if parts[2].hasPrefix("i=") {
            // PHC: i=N, optionally followed by ,l=L (Kratos), which must agree with the key.
            let fields = parts[2].split(separator: ",", omittingEmptySubsequences: false)
            guard let iterations = Int(fields[0].dropFirst(2)) else {
                throw .malformed(scheme: scheme, "iterations are not a number")
            }
            let key = Base64.decode(Substring(parts[4]))
            if fields.count > 1 {
                guard fields.count == 2, fields[1].hasPrefix("l="), let length = Int(fields[1].dropFirst(2)),
                    length == key?.count
                else { throw .malformed(scheme: scheme, "l= must be the key's length") }
            }
            return try make(scheme, digest, iterations, salt: Base64.decode(Substring(parts[3])), key: key)
        }
        // passlib: bare iteration count, "ab64" (`.` for `+`, no padding).
        guard let iterations = Int(parts[2]) else { throw .malformed(scheme: scheme, "iterations are not a number") }
        return try make(scheme, digest, iterations, salt: ab64(parts[3]), key: ab64(parts[4]))
    }

    private static let djangoDigests: [String: PBKDF2.Digest] = ["pbkdf2_sha256": .sha256, "pbkdf2_sha1": .sha1]
    private static let phcDigests: [String: PBKDF2.Digest] = [
        "pbkdf2-sha256": .sha256, "pbkdf2-sha512": .sha512, "pbkdf2-sha1": .sha1, "pbkdf2": .sha1,
    ]

    private static func ab64(_ text: String) -> [UInt8]? {
        guard !text.contains("+") else { return nil }
        return Base64.decode(Substring(String(text.map { $0 == "." ? "+" : $0 })))
    }

    private static func make(
        _ scheme: String, _ digest: PBKDF2.Digest, _ iterations: Int, salt: [UInt8]?, key: [UInt8]?
    )
        throws(HashProblem) -> PBKDF2Hash
    {
        guard let salt, !salt.isEmpty else { throw .malformed(scheme: scheme, "salt is not valid Base64") }
        guard let key, (16...512).contains(key.count) else {
            throw .malformed(scheme: scheme, "hash is not 16 to 512 bytes of Base64")
        }
        guard iterations >= minIterations, iterations <= Int(Int32.max) else {
            throw .outOfLimits(scheme: scheme, "iterations must be \(minIterations) to \(Int32.max)")
        }
        return PBKDF2Hash(digest: digest, iterations: iterations, salt: salt, key: key)
    }
}
