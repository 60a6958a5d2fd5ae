extension SQLiteAuthStore {
    /// Deletes audit rows older than `before`, keeping the chain verifiable: the hash of the
    /// last deleted row becomes the anchor the first remaining row chains to.
    ///
    /// The prune is recorded before anything is deleted: one transaction decides the range
    /// (from one past the anchor to the last row to go) and appends the `audit_prune` row
    /// that records it (``AuditPruneRange``). The deletes follow in batches of `batchSize`,
    /// so the writer is never held for long, each moving the anchor with it. At every instant
    /// either nothing was deleted or the record of what is being deleted is committed. A
    /// prune interrupted between batches leaves its record and an anchor inside its range;
    /// the next prune records a new range from that anchor on and finishes the work.
    ///
    /// The chain can only lose a prefix, so pruning stops at the first row recorded at or
    /// after `before`; rows older than `before` that follow it stay and are counted in the
    /// result. A row newer than `before` is never deleted.
    ///
    /// - Throws: `StoreError` `.auditTruncated` when no recorded prune explains the current
    ///   anchor (rows were removed by hand): pruning from there would make the removal look
    ///   recorded.
    ///
    /// Counting the rows to go (millions, on a large log) is done on a reader, so it never
    /// holds the writer; the record's transaction counts only rows committed since
    /// (``PrunableRows``).
    @discardableResult
    public func pruneAudit(
        before: Timestamp, batchSize: Int = 10_000, at time: Timestamp,
        context: AuditContext
    ) async throws -> AuditPruneResult {
        try await pruneAudit(
            before: before, batchSize: batchSize, at: time, context: context,
            counted: try await read { try Self.countPrunableRows(before: before, on: $0) })
    }

    /// The rows older than a prune's cutoff, counted on a reader before its record is written.
    struct PrunableRows: Sendable {
        /// The anchor when they were counted: rows after it, up to `newest`, were counted.
        let anchor: Int64
        /// The newest committed row then. Rows are never changed once committed, and the
        /// rows committed later all have higher ids.
        let newest: Int64
        /// The first row before the ordering boundary recorded at or after the cutoff
        /// (``firstOlderRow(atOrAfter:on:)``): such rows never change, so this holds also
        /// when another prune moved the anchor meanwhile.
        let olderStop: Int64?
        /// The first row the prune keeps among those up to `newest`; nil when all of them go.
        let stop: Int64?
        /// How many rows go, and the last of them.
        let rows: Int
        let last: Int64?
    }

    static func countPrunableRows(before: Timestamp, on connection: SQLiteConnection) throws -> PrunableRows {
        // One read transaction: anchor, newest row, stop and count from one snapshot.
        try connection.execute("BEGIN")
        defer { try? connection.execute("COMMIT") }
        let anchor = try connection.scalarInt("SELECT COALESCE((SELECT last_id FROM audit_anchor WHERE id = 1), 0)")
        let newest = try connection.scalarInt("SELECT COALESCE(max(id), 0) FROM audit_log")
        let olderStop = try firstOlderRow(atOrAfter: before, on: connection)
        let stop = try olderStop ?? AuditOrdering.read(on: connection).firstOrderedID(atOrAfter: before, on: connection)
        let span = try connection.queryFirst(
            "SELECT count(*), max(id) FROM audit_log WHERE id < ?", [stop ?? Int64.max]
        ) { (rows: Int($0.int64(0)), last: $0.isNull(1) ? nil : $0.int64(1)) }
        return PrunableRows(
            anchor: anchor, newest: newest, olderStop: olderStop, stop: stop, rows: span?.rows ?? 0, last: span?.last)
    }

    /// ``pruneAudit(before:batchSize:at:context:)`` with the rows counted beforehand; a
    /// count made before another prune moved the anchor is not used.
    func pruneAudit(
        before: Timestamp, batchSize: Int, at time: Timestamp, context: AuditContext, counted: PrunableRows
    ) async throws -> AuditPruneResult {
        let batchSize = max(1, batchSize)
        let (range, newest) = try await write { connection -> (AuditPruneRange, Int64) in
            let anchor = try connection.scalarInt(
                "SELECT COALESCE((SELECT last_id FROM audit_anchor WHERE id = 1), 0)")
            let newestPrune = try connection.queryFirst(
                "SELECT id, detail FROM audit_log INDEXED BY audit_by_event WHERE event = ? ORDER BY id DESC LIMIT 1",
                [AuditEvent.auditPrune.rawValue]
            ) { (id: $0.int64(0), detail: $0.string(1)) }
            if AuditAnchorCheck.record(anchorID: anchor, newestPrune: newestPrune) == .unrecorded {
                throw StoreError(
                    .auditTruncated,
                    "audit log: rows up to \(anchor) were removed without a recorded prune; "
                        + "not pruning (run authd audit verify)")
            }
            // The newest row before the prune's own: what the count of kept rows covers, so
            // rows the server writes after the prune are not counted as kept.
            let newest = try connection.scalarInt("SELECT COALESCE(max(id), 0) FROM audit_log")
            // Only the rows not counted on the reader: those committed since, or all of them
            // should another prune have moved the anchor meanwhile.
            let stillValid = counted.anchor == anchor
            let stop =
                try (stillValid ? counted.stop : counted.olderStop)
                ?? AuditOrdering.read(on: connection).firstOrderedID(atOrAfter: before, on: connection)
            let span = try connection.queryFirst(
                "SELECT count(*), max(id) FROM audit_log WHERE id > ? AND id < ?",
                [stillValid ? counted.newest : anchor, stop ?? Int64.max]
            ) { (rows: Int($0.int64(0)), last: $0.isNull(1) ? nil : $0.int64(1)) }
            let rows = (span?.rows ?? 0) + (stillValid ? counted.rows : 0)
            let last = span?.last ?? (stillValid ? counted.last : nil) ?? anchor
            let range = AuditPruneRange(first: anchor + 1, last: last, rows: rows)
            try AuditChain.append(
                AuditEntry(
                    event: .auditPrune, outcome: .success, context: context, detail: range.detail(before: before)),
                at: time, on: connection)
            return (range, newest)
        }
        var deleted = 0
        while true {
            let count = try await write { connection -> Int in
                guard
                    let last = try connection.queryFirst(
                        "SELECT max(id) FROM (SELECT id FROM audit_log WHERE id <= ? ORDER BY id LIMIT ?)",
                        [range.last, batchSize], { $0.isNull(0) ? nil : $0.int64(0) }) ?? nil
                else { return 0 }
                let hash =
                    try connection.queryFirst("SELECT hash FROM audit_log WHERE id = ?", [last]) { $0.bytes(0) } ?? []
                try connection.run(
                    "INSERT INTO audit_anchor (id, last_id, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash",
                    last, hash)
                return try connection.run("DELETE FROM audit_log WHERE id <= ?", last)
            }
            deleted += count
            if count < batchSize { break }
        }
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
        return AuditPruneResult(
            deleted: deleted, keptOlder: kept.older, firstKeptID: kept.first?.id, firstKeptTime: kept.first?.time,
            range: range)
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
