/// A parsed PHC string `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` (unpadded standard
/// Base64), the format every stored password hash has.
public struct PHCHash: Sendable, Equatable {
    public static let algorithm = "pbkdf2-sha256"

    public let iterations: Int
    public let salt: [UInt8]
    public let hash: [UInt8]

    public init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Parses a stored hash; `nil` when it is not a PBKDF2-SHA256 PHC string authd can check.
    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == Self.algorithm,
            parts[2].hasPrefix("i="), let iterations = Int(parts[2].dropFirst(2)),
            iterations > 0, iterations <= Int(Int32.max),
            let salt = Base64.decode(parts[3]), !salt.isEmpty,
            let hash = Base64.decode(parts[4]), !hash.isEmpty
        else { return nil }
        self.init(iterations: iterations, salt: salt, hash: hash)
    }

    /// The PHC string form.
    public var string: String {
        "$\(Self.algorithm)$i=\(iterations)$\(Base64.encodeUnpadded(salt))$\(Base64.encodeUnpadded(hash))"
    }
}
