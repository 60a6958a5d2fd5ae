/// A hash in one of the crypt(3) formats libxcrypt checks: bcrypt (`$2a$`, `$2b$`, `$2y$`),
/// sha256-crypt (`$5$`), sha512-crypt (`$6$`), both with optional `rounds=N`, and yescrypt
/// (`$y$`, Debian 12's /etc/shadow default). Stored as it came: the string is its own
/// setting.
///
/// bcrypt reads only the first 72 bytes of a password, as it did where the hash was made.
public struct CryptHash: Sendable, Equatable {
    public enum Parameters: Sendable, Equatable {
        case bcrypt(cost: Int)
        case shaCrypt(rounds: Int)
        /// `n`, `r`: scrypt's block count and size; `p`, `t` as yescrypt encodes them.
        case yescrypt(n: Int, r: Int, p: Int, t: Int)
    }

    public let scheme: HashScheme
    public let parameters: Parameters
    public let string: String

    public static let bcryptCosts = 4...16
    /// bcrypt below this is imported with a warning.
    public static let weakBcryptCost = 10
    public static let maxRounds = 10_000_000
    /// sha-crypt's default when a hash names no rounds.
    static let defaultRounds = 5_000
    /// The memory one yescrypt check may take, as for argon2: 256 MiB.
    public static let maxYescryptBytes = 256 << 20

    /// Relative work of one check, comparable only within the scheme.
    var work: Double {
        switch parameters {
        case .bcrypt(let cost): Double(1 << cost)
        case .shaCrypt(let rounds): Double(rounds)
        case .yescrypt(let n, let r, let p, let t): Double(n) * Double(r) * Double(p) * Double(t + 1)
        }
    }

    /// How `user import --dry-run` shows the cost.
    public var cost: String {
        switch parameters {
        case .bcrypt(let cost): "cost=\(cost)"
        case .shaCrypt(let rounds): "rounds=\(rounds)"
        case .yescrypt(let n, let r, let p, let t):
            "N=\(n),r=\(r)" + (p > 1 ? ",p=\(p)" : "") + (t > 0 ? ",t=\(t)" : "")
        }
    }

    func matches(_ password: [UInt8]) -> Bool {
        Crypt.matches(password, stored: string)
    }

    /// `nil` when `text` is not in a crypt format authd accepts.
    static func parse(_ text: String) throws(HashProblem) -> CryptHash? {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0].isEmpty else { return nil }
        switch parts[1] {
        case "2a", "2b", "2y": return try bcrypt(parts, text)
        case "5": return try shaCrypt(.sha256Crypt, parts, text, hashLength: 43)
        case "6": return try shaCrypt(.sha512Crypt, parts, text, hashLength: 86)
        case "y": return try yescrypt(parts, text)
        default: return nil
        }
    }

    private static func bcrypt(_ parts: [String], _ text: String) throws(HashProblem) -> CryptHash {
        let scheme = "$\(parts[1])$"
        guard parts.count == 4, parts[2].count == 2, let cost = Int(parts[2]), parts[3].count == 53,
            parts[3].allSatisfy(isCryptCharacter)
        else { throw .malformed(scheme: scheme, "expected \(scheme)NN$ and 53 characters") }
        guard bcryptCosts.contains(cost) else {
            throw .outOfLimits(
                scheme: scheme, "cost \(cost) is not \(bcryptCosts.lowerBound) to \(bcryptCosts.upperBound)")
        }
        return CryptHash(scheme: .bcrypt, parameters: .bcrypt(cost: cost), string: text)
    }

    private static func shaCrypt(_ scheme: HashScheme, _ parts: [String], _ text: String, hashLength: Int)
        throws(HashProblem) -> CryptHash
    {
        let prefix = "$\(parts[1])$"
        var fields = parts.dropFirst(2)
        var rounds = defaultRounds
        if let first = fields.first, first.hasPrefix("rounds=") {
            guard let value = Int(first.dropFirst("rounds=".count)) else {
                throw .malformed(scheme: prefix, "rounds= is not a number")
            }
            guard value <= maxRounds else { throw .outOfLimits(scheme: prefix, "rounds must be at most \(maxRounds)") }
            // crypt raises fewer than 1,000 rounds to 1,000, as the hash was made.
            rounds = max(value, 1_000)
            fields = fields.dropFirst()
        }
        guard fields.count == 2, let salt = fields.first, salt.count <= 16, !salt.contains(":"),
            let hash = fields.last, hash.count == hashLength, hash.allSatisfy(isCryptCharacter)
        else { throw .malformed(scheme: prefix, "expected \(prefix)[rounds=N$]salt$ and \(hashLength) characters") }
        return CryptHash(scheme: scheme, parameters: .shaCrypt(rounds: rounds), string: text)
    }

    private static func yescrypt(_ parts: [String], _ text: String) throws(HashProblem) -> CryptHash {
        let prefix = "$y$"
        guard parts.count == 5, parts[4].count == 43, parts[4].allSatisfy(isCryptCharacter),
            !parts[3].isEmpty, parts[3].allSatisfy(isCryptCharacter)
        else { throw .malformed(scheme: prefix, "expected $y$params$salt$ and 43 characters") }
        guard let params = YescryptParameters(parts[2]) else {
            throw .malformed(scheme: prefix, "parameters not understood")
        }
        guard params.n <= maxYescryptBytes / 128 / params.r, params.p <= 16, params.t <= 10 else {
            throw .outOfLimits(scheme: prefix, "at most 256 MiB (128·N·r), p ≤ 16, t ≤ 10")
        }
        return CryptHash(
            scheme: .yescrypt, parameters: .yescrypt(n: params.n, r: params.r, p: params.p, t: params.t), string: text)
    }

    static func isCryptCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "/")
    }
}
