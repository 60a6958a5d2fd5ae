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

    package init(id: String, username: String, createdAt: Timestamp, expiresAt: Timestamp, lastSeenAt: Timestamp, address: String, userAgent: String) {
        self.id = id
        self.username = username
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
        self.address = address
        self.userAgent = userAgent
    }

    /// Whether the session is past its absolute lifetime or idle for longer than allowed.
    public func isExpired(at now: Timestamp, policy: SessionPolicy) -> Bool {
        if now >= expiresAt { return true }
        return policy.isIdle(lastSeen: lastSeenAt, at: now)
    }

    /// This session with its last activity recorded at `time` (what verify returns after
    /// writing it).
    public func seen(at time: Timestamp) -> Session {
        Session(
            id: id, username: username, createdAt: createdAt, expiresAt: expiresAt, lastSeenAt: time,
            address: address, userAgent: userAgent)
    }

    /// A new random public session id (16 hex characters).
    public static func newID() -> String {
        Hex.encode(SecureRandom.bytes(8))
    }
}

/// How long sessions live, and how coarsely their last activity is recorded.
///
/// Last activity is written at most once per ``activityGranularity`` per session, so that
/// verify stays a read. The recorded time can therefore lag the real last use by up to one
/// granularity, and the idle check allows for exactly that lag: a session used at least
/// once per idle timeout never ends by idle (docs/api.md "Tokens and sessions"), and a session
/// left alone ends at most one granularity after the timeout.
///
/// Worst case, with timeout T and granularity G: activity recorded at L; a use at
/// L + G − ε is not written (too soon after L); the next use comes just under T later, at
/// L + G + T − 2ε. The session must still be valid then, so it may end only at L + T + G.
/// Any later use would have been recorded, since it is at least G after L.
public struct SessionPolicy: Sendable, Equatable {
    /// Absolute lifetime from login (`--token-ttl`).
    public var lifetime: Duration
    /// Longest allowed gap between uses (`--idle-timeout`); `nil` turns the check off.
    public var idleTimeout: Duration?

    /// The shortest idle timeout `authd serve` accepts. The promise above holds in the
    /// server's own clock for any timeout, but uses are timed when the server reads them:
    /// below a second, network and queueing delays (a request waiting for the writer's
    /// group commit) are no longer small next to the quarter-timeout allowance, and a client
    /// that keeps its side of the promise could still see its session end.
    public static let minimumIdleTimeout: Duration = .seconds(1)
    /// Coarsest last-activity bookkeeping: once a minute per session, for long timeouts.
    public static let maximumActivityGranularity: Duration = .seconds(60)

    public init(lifetime: Duration = .seconds(8 * 3600), idleTimeout: Duration? = .seconds(30 * 60)) {
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
    }

    /// Whether `timeout` can be an idle timeout: off (`nil`), or at least ``minimumIdleTimeout``.
    public static func isAcceptableIdleTimeout(_ timeout: Duration?) -> Bool {
        guard let timeout else { return true }
        return timeout >= minimumIdleTimeout
    }

    /// Last activity is written at most this often per session: a quarter of the idle
    /// timeout, and no more than once a minute. Derived here, and only here, so that the
    /// write interval and the idle check below can never disagree.
    public var activityGranularity: Duration {
        guard let idleTimeout else { return Self.maximumActivityGranularity }
        return min(Self.maximumActivityGranularity, idleTimeout / 4)
    }

    /// How old recorded activity may be before the session counts as idle: the timeout
    /// plus the granularity by which the record may lag (see the type's documentation);
    /// `nil` without an idle timeout.
    public var idleCutoff: Duration? {
        idleTimeout.map { $0 + activityGranularity }
    }

    /// Whether a session whose activity was last recorded at `lastSeen` has ended by idle at `now`.
    public func isIdle(lastSeen: Timestamp, at now: Timestamp) -> Bool {
        guard let idleCutoff else { return false }
        return now >= lastSeen + idleCutoff
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
