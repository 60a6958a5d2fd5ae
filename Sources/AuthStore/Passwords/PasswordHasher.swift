/// Hashes passwords with PBKDF2-HMAC-SHA256 at a configured cost, and checks them against
/// that or an imported scheme.
///
/// Every method is blocking and costs one full PBKDF2 run; the HTTP layer calls them on its
/// bounded hashing pool, never on an event loop.
public struct PasswordHasher: Sendable {
    /// OWASP's current recommendation for PBKDF2-HMAC-SHA256.
    public static let defaultIterations = 600_000
    public static let saltLength = 16
    public static let keyLength = 32

    public let iterations: Int

    public init(iterations: Int = Self.defaultIterations) {
        precondition(iterations > 0, "PBKDF2 iterations must be positive")
        self.iterations = iterations
    }

    /// The result of checking a password against a stored hash.
    public enum Verification: Sendable, Equatable {
        /// The password matches; `needsRehash` when the stored cost is not the configured one.
        /// A cost above it is replaced too: the costliest stored hash sets how long every
        /// login takes (equal timing), so a hash left over from before an operator lowered
        /// the cost would keep every login slow.
        case match(needsRehash: Bool)
        case mismatch
    }

    /// A new PHC string for `password`, with a fresh random salt.
    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(Self.saltLength)
        let key = PBKDF2.sha256(
            password: Array(password.utf8), salt: salt, iterations: iterations, length: Self.keyLength)
        return PHCHash(iterations: iterations, salt: salt, hash: key).string
    }

    /// Checks `password` against a stored hash, at the cost the hash records, so old hashes
    /// keep working after the configured cost is raised. authd's own PHC strings are checked
    /// here; an imported hash by its scheme (``PasswordHash``), and a match always needs a
    /// rehash: it is replaced by authd's own at the user's first login.
    ///
    /// A stored value that does not parse never matches; it still costs a dummy run so that
    /// a damaged row is not a timing oracle.
    public func verify(_ password: String, against stored: String) -> Verification {
        if let phc = PHCHash(stored) {
            let key = PBKDF2.sha256(
                password: Array(password.utf8), salt: phc.salt, iterations: phc.iterations, length: phc.hash.count)
            guard ConstantTime.equal(key, phc.hash) else { return .mismatch }
            return .match(needsRehash: phc.iterations != iterations)
        }
        guard let imported = try? PasswordHash(parsing: stored) else {
            spendDummyWork(password)
            return .mismatch
        }
        return imported.matches(password) ? .match(needsRehash: true) : .mismatch
    }

    /// What checking against `stored` costs in PBKDF2-SHA256 iterations: the stored hash's
    /// own; none for an imported hash of another scheme (its cost is its scheme's, see
    /// ``imported(_:)``); the configured cost for a value that does not parse (checked by a
    /// dummy run at that cost).
    public func cost(of stored: String) -> Int {
        if let phc = PHCHash(stored) { return phc.iterations }
        return (try? PasswordHash(parsing: stored)) != nil ? 0 : iterations
    }

    /// The parsed hash when `stored` is an imported one (not authd's own PHC form), else `nil`.
    public func imported(_ stored: String) -> PasswordHash? {
        PHCHash(stored) == nil ? try? PasswordHash(parsing: stored) : nil
    }

    /// Spends the work of one verification at `iterations` (the configured cost by default)
    /// and throws the result away, so that an unknown user, or a check of a cheaper hash,
    /// costs what the costliest check costs.
    public func spendDummyWork(_ password: String, iterations: Int? = nil) {
        let iterations = iterations ?? self.iterations
        guard iterations > 0 else { return }
        let key = PBKDF2.sha256(
            password: Array(password.utf8), salt: Self.dummySalt, iterations: iterations, length: Self.keyLength)
        _ = ConstantTime.equal(key, Self.dummySalt + Self.dummySalt)
    }

    private static let dummySalt = [UInt8](repeating: 0x5a, count: saltLength)
}
