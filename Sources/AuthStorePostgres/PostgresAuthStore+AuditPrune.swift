import AuthStore
import NIOCore
import PostgresNIO

extension PostgresAuthStore {
    /// Deletes audit rows older than `before`, as on SQLite: the prune is recorded (with its
    /// range) before anything is deleted, then rows go in batches, each moving the anchor.
    ///
    /// The record is an audited transaction (head lock). The deleting batches are not: they
    /// touch only the oldest rows and the anchor, so they take a lock of their own
    /// (`authd.prune`) that keeps two prunes apart without holding up logins.
    ///
    /// Counting the rows to go (millions, on a large log) is done before the head is locked,
    /// so that it holds up no login on any replica; under the lock only the rows committed
    /// since are counted (``PrunableRows``).
    @discardableResult
    public func pruneAudit(
        before: Timestamp, batchSize: Int = 10_000, at time: Timestamp,
        context: AuditContext
    ) async throws -> AuditPruneResult {
        try await pruneAudit(
            before: before, batchSize: batchSize, at: time, context: context,
            counted: try await countPrunableRows(before: before))
    }

    /// The rows older than a prune's cutoff, counted before its record is written.
    struct PrunableRows {
        /// The anchor when they were counted: rows after it, up to `newest`, were counted.
        let anchor: Int64
        /// The newest committed row then. Rows are never changed once committed, and the
        /// rows committed later all have higher ids (ids are handed out under the head lock).
        let newest: Int64
        /// How many of those rows were older than the cutoff, and the last of them.
        let rows: Int
        let last: Int64?
    }

    func countPrunableRows(before: Timestamp) async throws -> PrunableRows {
        try await read { connection in
            let row = try await connection.query(
                """
                SELECT COALESCE((SELECT last_id FROM audit_anchor WHERE id = 1), 0),
                       (SELECT COALESCE(max(id), 0) FROM audit_log), count(*), max(id)
                FROM audit_log WHERE time < \(before.microseconds)
                """, logger: logger
            ).collect().map(PostgresRowReader.init)[0]
            return PrunableRows(
                anchor: row.int64(0), newest: row.int64(1), rows: row.int(2), last: row.isNull(3) ? nil : row.int64(3))
        }
    }

    /// ``pruneAudit(before:batchSize:at:context:)`` with the rows counted beforehand; a
    /// count made before another prune moved the anchor is not used.
    func pruneAudit(
        before: Timestamp, batchSize: Int, at time: Timestamp, context: AuditContext, counted: PrunableRows
    ) async throws -> AuditPruneResult {
        let batchSize = max(1, batchSize)
        let (range, newest) = try await auditedTransaction { [self] connection, audit -> (AuditPruneRange, Int64) in
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext('authd.prune'), hashtext(current_schema()))", logger: logger)
            let anchor = try await connection.query(
                "SELECT COALESCE((SELECT last_id FROM audit_anchor WHERE id = 1), 0)", logger: logger
            ).collect().map { PostgresRowReader($0).int64(0) }.first ?? 0
            let newestPrune = try await connection.query(
                """
                SELECT id, detail FROM audit_log WHERE event = \(AuditEvent.auditPrune.rawValue)
                ORDER BY id DESC LIMIT 1
                """, logger: logger
            ).collect().first.map { row in
                let row = PostgresRowReader(row)
                return (id: row.int64(0), detail: row.string(1))
            }
            if AuditAnchorCheck.record(anchorID: anchor, newestPrune: newestPrune) == .unrecorded {
                throw StoreError(
                    .auditTruncated,
                    "audit log: rows up to \(anchor) were removed without a recorded prune; "
                        + "not pruning (run authd audit verify)")
            }
            // Only the rows committed since the count (all of them after the anchor, should
            // another prune have moved it meanwhile). Also the newest row before the prune's
            // own: what the count of kept rows covers.
            let stillValid = counted.anchor == anchor
            let span = try await connection.query(
                """
                SELECT (SELECT COALESCE(max(id), 0) FROM audit_log), count(*), max(id)
                FROM audit_log WHERE id > \(stillValid ? counted.newest : anchor) AND time < \(before.microseconds)
                """, logger: logger
            ).collect().map(PostgresRowReader.init)[0]
            let rows = span.int(1) + (stillValid ? counted.rows : 0)
            let last = span.isNull(2) ? (stillValid ? counted.last : nil) : span.int64(2)
            // Time never decreases in id here, so the rows before `before` are a prefix.
            let range = AuditPruneRange(first: anchor + 1, last: last ?? anchor, rows: rows)
            audit.append(
                AuditEntry(
                    event: .auditPrune, outcome: .success, context: context, detail: range.detail(before: before)),
                at: time)
            return (range, span.int64(0))
        }
        var deleted = 0
        while true {
            let count = try await transaction { connection -> Int in
                try await connection.run("SELECT pg_advisory_xact_lock(hashtext('authd.prune'), hashtext(current_schema()))", logger: logger)
                let rows = try await connection.query(
                    """
                    SELECT id, hash FROM audit_log WHERE id <= \(range.last) ORDER BY id LIMIT \(batchSize)
                    """, logger: logger
                ).collect().map(PostgresRowReader.init)
                guard let last = rows.last else { return 0 }
                let lastID = last.int64(0)
                try await connection.run(
                    """
                    INSERT INTO audit_anchor (id, last_id, hash) VALUES (1, \(lastID), \(ByteBuffer(bytes: last.bytes(1))))
                    ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash
                    """, logger: logger)
                try await connection.run("DELETE FROM audit_log WHERE id <= \(lastID)", logger: logger)
                return rows.count
            }
            deleted += count
            if count < batchSize { break }
        }
        let kept = try await read { connection in
            let older = try await connection.query(
                "SELECT count(*) FROM audit_log WHERE time < \(before.microseconds) AND id <= \(newest)",
                logger: logger
            ).collect().map { PostgresRowReader($0).int(0) }.first ?? 0
            let first = try await connection.query(
                "SELECT id, time FROM audit_log WHERE id <= \(newest) ORDER BY id LIMIT 1", logger: logger
            ).collect().first.map { row in
                let row = PostgresRowReader(row)
                return (id: row.int64(0), time: Timestamp(microseconds: row.int64(1)))
            }
            return (older: older, first: first)
        }
        return AuditPruneResult(
            deleted: deleted, keptOlder: kept.older, firstKeptID: kept.first?.id, firstKeptTime: kept.first?.time,
            range: range)
    }
}
