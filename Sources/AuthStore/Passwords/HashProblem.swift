/// Why a password hash cannot be imported. The message names the scheme, or at most the
/// hash's `$…$` prefix: never the hash itself, which is a secret worth cracking.
public enum HashProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// A scheme too weak to keep (md5-crypt, apr1, DES crypt, `{SHA}`, `{SSHA}`, bare digests).
    case weak(scheme: String)
    /// No scheme authd knows; `prefix` is the hash's leading `$id$`, if it has a short one.
    case unrecognised(prefix: String?)
    /// The scheme is known but the string does not have its shape.
    case malformed(scheme: String, String)
    /// A cost parameter outside what one login may spend.
    case outOfLimits(scheme: String, String)

    public var description: String {
        switch self {
        case .empty:
            "empty password hash"
        case .weak(let scheme):
            "\(scheme) hashes are too weak to import; have the user set a new password"
        case .unrecognised(let prefix?):
            "unrecognised password hash scheme \(prefix)"
        case .unrecognised(nil):
            "unrecognised password hash scheme"
        case .malformed(let scheme, let why):
            "malformed \(scheme) hash: \(why)"
        case .outOfLimits(let scheme, let why):
            "\(scheme) hash out of limits: \(why)"
        }
    }
}
