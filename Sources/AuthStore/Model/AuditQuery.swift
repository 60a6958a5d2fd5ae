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

    public init(
        username: String? = nil, events: [AuditEvent] = [], outcome: AuditOutcome? = nil, since: Timestamp? = nil,
        until: Timestamp? = nil, address: String? = nil, limit: Int = 100
    ) {
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
    /// What `audit verify` found wrong, at the first row where it went wrong.
    public enum Failure: Sendable, Equatable {
        /// The row's hash does not match (edited, inserted, or following a deleted row);
        /// for rows deleted from the end, the first missing id.
        case brokenChain(at: Int64)
        /// The row's hash matches but its time is earlier than the previous row's, which
        /// authd's writer never records.
        case timeGoesBackwards(at: Int64)
        /// The anchor is row `anchor`, but no prune recorded in the chain removed rows that
        /// far: the oldest rows were deleted and the anchor set by hand. The chain from the
        /// anchor on still hashes correctly, which is why this is checked separately.
        case unrecordedPrune(anchor: Int64)
    }

    /// Whether the anchor (where the chain starts after pruning) is explained by a prune the
    /// chain itself records.
    public enum AnchorRecord: Sendable, Equatable {
        /// No anchor: the log was never pruned and starts from genesis.
        case neverPruned
        /// The newest `audit_prune` row in the chain, at `pruneRow`, recorded `range`, and the
        /// anchor is within it: every pruned row was removed by a recorded prune. An anchor
        /// below `range.last` means that prune was interrupted (``isUnfinished``).
        case recorded(pruneRow: Int64, range: AuditPruneRange)
        /// The newest `audit_prune` row, at `pruneRow`, was written before migration 0004 and
        /// recorded no range: the anchor cannot be told from a forged one.
        case unprovable(pruneRow: Int64)
        /// The anchor is past what any prune in the chain recorded (`Failure.unrecordedPrune`).
        case unrecorded
    }

    /// Rows checked.
    public let checked: Int
    /// `nil` when intact.
    public let failure: Failure?
    /// Hash of the newest row (hex): record it elsewhere to detect a rewritten chain.
    public let headHash: String
    /// The row from which on time order was checked; rows before it were written by an
    /// authd that did not keep time in order (migration 0003).
    public let orderCheckedFrom: Int64
    /// The last pruned row, whose hash the first remaining row chains to; `nil` when never pruned.
    public let anchor: AuditChainPoint?
    /// The newest row; `nil` when the log is empty.
    public let head: AuditChainPoint?
    /// What explains the anchor; meaningful when the chain itself is intact.
    public let anchorRecord: AnchorRecord
    /// One result per expected row, in the order asked.
    public let expectations: [AuditExpectationCheck]

    public init(
        checked: Int, failure: Failure?, headHash: String, orderCheckedFrom: Int64 = 1,
        anchor: AuditChainPoint? = nil, head: AuditChainPoint? = nil, anchorRecord: AnchorRecord = .neverPruned,
        expectations: [AuditExpectationCheck] = []
    ) {
        self.checked = checked
        self.failure = failure
        self.headHash = headHash
        self.orderCheckedFrom = orderCheckedFrom
        self.anchor = anchor
        self.head = head
        self.anchorRecord = anchorRecord
        self.expectations = expectations
    }

    /// The first bad row's id, whatever is wrong with it.
    public var firstBadID: Int64? {
        switch failure {
        case .brokenChain(let id), .timeGoesBackwards(let id), .unrecordedPrune(let id): id
        case nil: nil
        }
    }

    public var isIntact: Bool { failure == nil }

    /// A prune that recorded its range but stopped before removing all of it; running
    /// `audit prune` again finishes it.
    public var isUnfinished: Bool {
        guard case .recorded(_, let range) = anchorRecord else { return false }
        return (anchor?.id ?? 0) < range.last
    }
}

/// What `audit prune` did.
public struct AuditPruneResult: Sendable, Equatable {
    /// Rows deleted.
    public let deleted: Int
    /// Rows older than the cutoff that had to stay: the chain can only lose a prefix, and
    /// they follow a row at or after the cutoff (`firstKeptID`). That happens only when a
    /// row written before migration 0003 is at or after the cutoff.
    public let keptOlder: Int
    /// The oldest row kept and its time, nil when every row went.
    public let firstKeptID: Int64?
    public let firstKeptTime: Timestamp?
    /// The range the prune recorded in its `audit_prune` row before deleting.
    public let range: AuditPruneRange?

    public init(
        deleted: Int, keptOlder: Int, firstKeptID: Int64?, firstKeptTime: Timestamp?, range: AuditPruneRange? = nil
    ) {
        self.deleted = deleted
        self.keptOlder = keptOlder
        self.firstKeptID = firstKeptID
        self.firstKeptTime = firstKeptTime
        self.range = range
    }
}
