/// The hash-chained audit log: append, query, verify, prune.
public protocol AuditStore: Sendable {
    /// Appends one audit row on its own (a failed attempt, which changes nothing else).
    func recordAudit(_ entry: AuditEntry, at time: Timestamp) async throws
    /// The newest audit rows, newest first.
    func recentAudit(limit: Int) async throws -> [AuditRecord]
    /// Audit rows matching every given filter, newest first.
    func queryAudit(_ query: AuditQuery) async throws -> [AuditRecord]
    /// Walks the hash chain; reports the first row that does not match, whether a recorded
    /// prune explains the anchor, and what became of each expected row.
    func verifyAuditChain(expecting expected: [AuditChainPoint], progress: @escaping @Sendable (Int, Int) -> Void)
        async throws -> AuditVerification
    /// Records an `audit_prune` row with the range it is about to delete, then deletes rows
    /// older than `before` in batches, keeping the chain verifiable. Returns what was deleted
    /// and what had to stay.
    @discardableResult
    func pruneAudit(before: Timestamp, batchSize: Int, at time: Timestamp, context: AuditContext) async throws
        -> AuditPruneResult
}
