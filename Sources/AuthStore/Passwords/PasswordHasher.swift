/// Hashes and checks passwords with PBKDF2-HMAC-SHA256 at a configured cost.
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

    /// Checks `password` against a stored PHC string, at the cost the string records, so old
    /// hashes keep working after the configured cost is raised.
    ///
    /// A stored value that does not parse never matches; it still costs a dummy run so that
    /// a damaged row is not a timing oracle.
    public func verify(_ password: String, against stored: String) -> Verification {
        guard let phc = PHCHash(stored) else {
            spendDummyWork(password)
            return .mismatch
        }
        let key = PBKDF2.sha256(
            password: Array(password.utf8), salt: phc.salt, iterations: phc.iterations, length: phc.hash.count)
        guard ConstantTime.equal(key, phc.hash) else { return .mismatch }
        return .match(needsRehash: phc.iterations != iterations)
    }

    /// What checking against `stored` costs, in iterations: the stored hash's own, or the
    /// configured cost for a value that does not parse (checked by a dummy run at that cost).
    public func cost(of stored: String) -> Int {
        PHCHash(stored)?.iterations ?? iterations
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
