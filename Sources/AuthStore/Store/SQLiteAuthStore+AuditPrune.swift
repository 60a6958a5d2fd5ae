extension SQLiteAuthStore {
    /// Deletes audit rows older than `before`, in batches so the writer is never held
    /// for long, keeping the chain verifiable: the hash of the last deleted row becomes
    /// the anchor the first remaining row chains to. Records an `audit_prune` row.
    ///
    /// The chain can only lose a prefix, so pruning stops at the first row recorded at or
    /// after `before`; rows older than `before` that follow it stay and are counted in the
    /// result. A row newer than `before` is never deleted.
    @discardableResult
    public func pruneAudit(
        before: Timestamp, batchSize: Int = 10_000, at time: Timestamp,
        context: AuditContext
    ) async throws -> AuditPruneResult {
        // Rows before the ordering boundary never change, so where they stop the prune is
        // found once, on a reader: that walk never holds the writer.
        let olderStop = try await read { try Self.firstOlderRow(atOrAfter: before, on: $0) }
        var deleted = 0
        var newestAtEnd: Int64 = 0
        while true {
            let (count, newest) = try await write { connection -> (Int, Int64) in
                // The newest row when this batch ran: what the count of kept rows covers, so
                // rows the server writes after the prune are not counted as kept.
                let newest = try connection.scalarInt("SELECT COALESCE(max(id), 0) FROM audit_log")
                let stop =
                    try olderStop
                    ?? AuditOrdering.read(on: connection).firstOrderedID(atOrAfter: before, on: connection)
                guard
                    let last = try connection.queryFirst(
                        "SELECT max(id) FROM (SELECT id FROM audit_log WHERE id < ? ORDER BY id LIMIT ?)",
                        [stop ?? Int64.max, batchSize], { $0.isNull(0) ? nil : $0.int64(0) }) ?? nil
                else { return (0, newest) }
                let hash =
                    try connection.queryFirst("SELECT hash FROM audit_log WHERE id = ?", [last]) { $0.bytes(0) } ?? []
                try connection.run(
                    "INSERT INTO audit_anchor (id, last_id, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash",
                    last, hash)
                return (try connection.run("DELETE FROM audit_log WHERE id <= ?", last), newest)
            }
            deleted += count
            newestAtEnd = newest
            if count < batchSize { break }
        }
        let newest = newestAtEnd
        let kept = try await read { connection in
            (
                older: Int(
                    try connection.scalarInt(
                        "SELECT count(*) FROM audit_log INDEXED BY audit_by_time WHERE time < ? AND id <= ?",
                        before.microseconds, newest)),
                first: try connection.queryFirst(
                    "SELECT id, time FROM audit_log WHERE id <= ? ORDER BY id LIMIT 1", [newest]
                ) {
                    (id: $0.int64(0), time: Timestamp(microseconds: $0.int64(1)))
                }
            )
        }
        try await recordAudit(.success(.auditPrune, username: "", context: context), at: time)
        return AuditPruneResult(
            deleted: deleted, keptOlder: kept.older, firstKeptID: kept.first?.id, firstKeptTime: kept.first?.time)
    }

    /// The first row before the ordering boundary recorded at or after `before`, or nil
    /// when there is none. Those rows may be in any time order, so they are walked oldest
    /// first; the walk passes only rows that the prune deletes, unless none qualifies.
    static func firstOlderRow(atOrAfter before: Timestamp, on connection: SQLiteConnection) throws -> Int64? {
        let ordering = try AuditOrdering.read(on: connection)
        guard let olderTimes = ordering.olderTimes, before.microseconds <= olderTimes.upperBound else { return nil }
        return try connection.queryFirst(
            "SELECT id FROM audit_log NOT INDEXED WHERE id < ? AND time >= ? ORDER BY id LIMIT 1",
            [ordering.orderedFrom, before.microseconds]
        ) { $0.int64(0) }
    }
}
