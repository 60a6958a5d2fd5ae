/// An open session as stored; the token itself is never kept, only its SHA-256.
public struct Session: Sendable, Equatable {
    /// Short public id: safe to show, log and put in the audit trail.
    public let id: String
    public let username: String
    public let createdAt: Timestamp
    public let expiresAt: Timestamp
    public let lastSeenAt: Timestamp
    public let address: String
    public let userAgent: String

    /// Whether the session is past its absolute lifetime or idle for longer than allowed.
    public func isExpired(at now: Timestamp, policy: SessionPolicy) -> Bool {
        if now >= expiresAt { return true }
        if let idle = policy.idleTimeout, now >= lastSeenAt + idle { return true }
        return false
    }

    /// A new random public session id (16 hex characters).
    public static func newID() -> String {
        Hex.encode(SecureRandom.bytes(8))
    }
}

/// How long sessions live.
public struct SessionPolicy: Sendable, Equatable {
    /// Absolute lifetime from login (`--token-ttl`).
    public var lifetime: Duration
    /// Longest allowed gap between uses (`--idle-timeout`); `nil` turns the check off.
    public var idleTimeout: Duration?
    /// Last-activity is written at most this often per session, so verify stays a read.
    public var activityGranularity: Duration

    public init(
        lifetime: Duration = .seconds(8 * 3600), idleTimeout: Duration? = .seconds(30 * 60),
        activityGranularity: Duration = .seconds(60)
    ) {
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
        self.activityGranularity = activityGranularity
    }
}

/// What a bearer token turned out to be.
public enum TokenLookup: Sendable, Equatable {
    case valid(Session)
    /// No such session: never issued, logged out, revoked or cleaned up.
    case unknown
    /// Past its lifetime or idle timeout; the session has been ended.
    case expired(Session)
}

/// What ``AuthStorage/createSession(for:tokenHash:policy:rehash:at:context:)`` did.
public enum SessionOpening: Sendable, Equatable {
    case opened(Session)
    /// The stored hash is not the one that was checked; nothing was written.
    case hashChanged(User)
    /// The user was disabled or deleted after the check, for this reason; nothing was
    /// written (the caller records the failure with its throttle slot).
    case refused(AuditReason)

    /// The session, when one was opened.
    public var session: Session? {
        if case .opened(let session) = self { return session }
        return nil
    }
}
