/// Why the authenticator refused an attempt, in the domain's terms.
///
/// The HTTP layer turns it into a status and body in one place (`APIError.init(_:)`); the
/// authenticator does not know HTTP. A struct over an internal enum, so cases can grow
/// without breaking callers that only compare with the static values.
public struct AuthFailure: Error, Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case invalidCredentials
        case throttled(retryAfterSeconds: Int)
        case overloaded
    }

    let kind: Kind

    /// Unknown user, wrong password, disabled user, or a token that is unknown, expired or
    /// ended: one failure, so that a caller cannot tell which.
    public static let invalidCredentials = AuthFailure(kind: .invalidCredentials)
    /// The hashing queue is full; no secret was checked.
    public static let overloaded = AuthFailure(kind: .overloaded)

    /// Too many recent failures; no secret was checked.
    public static func throttled(retryAfterSeconds: Int) -> AuthFailure {
        AuthFailure(kind: .throttled(retryAfterSeconds: retryAfterSeconds))
    }
}
