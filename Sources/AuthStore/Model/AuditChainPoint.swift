/// One row of the audit chain named by id and hash: the anchor, the head, or a row an
/// operator recorded elsewhere and expects to find again (`audit verify --expect ID:HASH`).
public struct AuditChainPoint: Sendable, Equatable, CustomStringConvertible {
    public let id: Int64
    /// Lowercase hex SHA-256.
    public let hash: String

    public init(id: Int64, hash: String) {
        self.id = id
        self.hash = hash.lowercased()
    }

    /// Reads `ID:HASH` as `audit verify` prints it: a positive id and 64 hex digits.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Int64(parts[0]), id >= 1, parts[1].count == 64,
            parts[1].allSatisfy({ $0.isHexDigit })
        else { return nil }
        self.init(id: id, hash: String(parts[1]))
    }

    /// `ID:HASH`, the form `--expect` reads.
    public var description: String { "\(id):\(hash)" }
}

/// What `audit verify` found for one expected row (``AuditChainPoint``).
public enum AuditExpectationOutcome: Sendable, Equatable {
    /// The row is in the chain with the expected hash.
    case present
    /// The row is the anchor (the last pruned row) and its stored hash is the expected one.
    case anchor
    /// The row was removed by a prune the chain records: the `audit_prune` row at
    /// `recordedAt` (the one whose range holds it, or the newest, whose range starts where
    /// the earlier recorded prunes ended).
    case pruned(recordedAt: Int64)
    /// The row is in the chain (or is the anchor) with another hash.
    case hashDiffers(found: String)
    /// The row is gone and no recorded prune removed it, or it is past the head.
    case missing

    /// Whether the expectation holds: the row is there with its hash, or a recorded prune
    /// removed it.
    public var holds: Bool {
        switch self {
        case .present, .anchor, .pruned: true
        case .hashDiffers, .missing: false
        }
    }
}

/// One `--expect` and what was found.
public struct AuditExpectationCheck: Sendable, Equatable {
    public let expected: AuditChainPoint
    public let outcome: AuditExpectationOutcome

    public init(expected: AuditChainPoint, outcome: AuditExpectationOutcome) {
        self.expected = expected
        self.outcome = outcome
    }
}
