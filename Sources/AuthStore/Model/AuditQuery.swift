/// Filters for `authd audit`: all optional, combined with AND, newest first.
public struct AuditQuery: Sendable, Equatable {
    public var username: String?
    /// Any of these events (empty: all).
    public var events: [AuditEvent] = []
    public var outcome: AuditOutcome?
    /// Inclusive lower bound.
    public var since: Timestamp?
    /// Exclusive upper bound.
    public var until: Timestamp?
    public var address: String?
    public var limit = 100

    public init(username: String? = nil, events: [AuditEvent] = [], outcome: AuditOutcome? = nil, since: Timestamp? = nil,
                until: Timestamp? = nil, address: String? = nil, limit: Int = 100) {
        self.username = username
        self.events = events
        self.outcome = outcome
        self.since = since
        self.until = until
        self.address = address
        self.limit = limit
    }
}

/// The result of walking the audit chain.
public struct AuditVerification: Sendable, Equatable {
    /// Rows checked.
    public let checked: Int
    /// The first row whose hash does not match (edited, inserted, or following a deleted
    /// row); for rows deleted from the end, the first missing id. `nil` when intact.
    public let firstBadID: Int64?
    /// Hash of the newest row (hex): record it elsewhere to detect a rewritten chain.
    public let headHash: String

    public var isIntact: Bool { firstBadID == nil }
}
