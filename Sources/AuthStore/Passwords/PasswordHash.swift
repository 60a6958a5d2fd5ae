/// A stored password hash of any scheme authd verifies (``HashScheme``), parsed: the one
/// place that tells schemes apart, used at import to check and normalise a hash, at login
/// to choose the verifier, and by the cost floor to compare costs.
public enum PasswordHash: Sendable, Equatable {
    case pbkdf2(PBKDF2Hash)
    case crypt(CryptHash)
    case argon2(Argon2Hash)

    /// Reads `text` in any accepted form.
    /// - Throws: ``HashProblem`` naming the scheme for a weak, unknown, malformed or too
    ///   costly hash.
    public init(parsing text: String) throws(HashProblem) {
        guard !text.isEmpty else { throw .empty }
        if let hash = try PBKDF2Hash.parse(text) {
            self = .pbkdf2(hash)
        } else if let hash = try CryptHash.parse(text) {
            self = .crypt(hash)
        } else if let hash = try Argon2Hash.parse(text) {
            self = .argon2(hash)
        } else if let weak = WeakHash.scheme(of: text) {
            throw .weak(scheme: weak)
        } else {
            throw .unrecognised(prefix: Self.prefix(of: text))
        }
    }

    public var scheme: HashScheme {
        switch self {
        case .pbkdf2(let hash): hash.scheme
        case .crypt(let hash): hash.scheme
        case .argon2(let hash): hash.scheme
        }
    }

    /// What authd stores: PHC form for PBKDF2 (authd's own for SHA-256), else the string
    /// as it came.
    public var stored: String {
        switch self {
        case .pbkdf2(let hash): hash.phc
        case .crypt(let hash): hash.string
        case .argon2(let hash): hash.string
        }
    }

    /// The cost as `user import --dry-run` and `user list` show it (`i=600000`, `cost=10`…).
    public var cost: String {
        switch self {
        case .pbkdf2(let hash): "i=\(hash.iterations)"
        case .crypt(let hash): hash.cost
        case .argon2(let hash): hash.cost
        }
    }

    /// A warning worth showing at import (a weak bcrypt cost), or `nil`.
    public var warning: String? {
        if case .crypt(let hash) = self, case .bcrypt(let cost) = hash.parameters, cost < CryptHash.weakBcryptCost {
            return
                "bcrypt cost \(cost) is below \(CryptHash.weakBcryptCost): weak until the user's first login replaces it"
        }
        return nil
    }

    /// Relative work of one check; comparable only between hashes of the same scheme.
    public var work: Double {
        switch self {
        case .pbkdf2(let hash): Double(hash.iterations)
        case .crypt(let hash): hash.work
        case .argon2(let hash): hash.work
        }
    }

    /// Whether `password` matches. Blocking: the scheme's full cost.
    public func matches(_ password: String) -> Bool {
        let bytes = Array(password.utf8)
        switch self {
        case .pbkdf2(let hash): return hash.matches(bytes)
        case .crypt(let hash): return hash.matches(bytes)
        case .argon2(let hash): return hash.matches(bytes)
        }
    }

    /// Spends what checking against a hash of this scheme at `target`'s cost costs, after a
    /// real check against `self` was made, and throws the result away: the padding that
    /// makes a check of a cheaper hash cost what the scheme's costliest stored hash costs.
    ///
    /// PBKDF2 adds up exactly (the missing iterations). Other schemes repeat the check of
    /// `self` as many times as the costs' ratio says, rounded: exact when the costs are
    /// powers of two apart (bcrypt) or equal (the usual import, where one system wrote
    /// every hash with the same parameters).
    public func pad(_ password: String, upTo target: PasswordHash) {
        guard target.scheme == scheme, target.work > work else { return }
        if case .pbkdf2(let hash) = self, case .pbkdf2(let dearer) = target {
            hash.spend(Array(password.utf8), iterations: dearer.iterations - hash.iterations)
            return
        }
        let repeats = Int((target.work / work).rounded()) - 1
        for _ in 0..<max(0, repeats) { _ = matches(password) }
    }

    /// A short leading `$id$` or `{ID}` to name an unknown scheme by, never more of the hash.
    static func prefix(of text: String) -> String? {
        if text.hasPrefix("$") {
            let id = text.dropFirst().prefix { $0 != "$" }
            guard id.count <= 16, id.count < text.count - 1, id.allSatisfy({ $0.isASCII && !$0.isWhitespace })
            else { return nil }
            return "$\(id)$"
        }
        if text.hasPrefix("{"), let close = text.firstIndex(of: "}"),
            text.distance(from: text.startIndex, to: close) <= 16
        {
            return String(text[...close])
        }
        if let dollar = text.firstIndex(of: "$"), text.distance(from: text.startIndex, to: dollar) <= 16 {
            let id = text[..<dollar]
            if id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
                return "\(id)$"
            }
        }
        return nil
    }
}
