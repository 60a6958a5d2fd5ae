import AuthStore
import PostgresNIO

extension PostgresAuthStore {
    static let auditColumns = AuditRecord.storedColumns

    static func auditRecord(from row: PostgresRow) -> AuditRecord {
        let row = PostgresRowReader(row)
        return AuditRecord(
            stored: row.int64(0), time: row.int64(1), event: row.string(2), outcome: row.string(3),
            reason: row.string(4), username: row.string(5), session: row.string(6), address: row.string(7),
            userAgent: row.string(8), requestID: row.string(9), hash: row.bytes(10), count: row.int(11),
            detail: row.string(12))
    }

    public func recordAudit(_ entry: AuditEntry, at time: Timestamp) async throws {
        _ = try await auditedTransaction { _, audit in audit.append(entry, at: time) }
    }

    public func recentAudit(limit: Int) async throws -> [AuditRecord] {
        try await read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.auditColumns) FROM audit_log ORDER BY id DESC LIMIT \(max(0, limit))",
                logger: logger
            ).collect().map(Self.auditRecord(from:))
        }
    }

    /// Audit rows matching `query`, newest first.
    ///
    /// Every row here was written under the head lock with time = max(now, previous time),
    /// so time is non-decreasing in id and a time filter needs no special case (SQLite's
    /// ``AuditOrdering`` exists for rows older writers left out of order). Each filter has an
    /// index ending in `id`, which PostgreSQL walks backwards and stops after `limit` rows.
    public func queryAudit(_ query: AuditQuery) async throws -> [AuditRecord] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func add(_ condition: (Int) -> String, _ value: some PostgresDynamicTypeEncodable) {
            binds.append(value)
            conditions.append(condition(binds.count))
        }
        if let username = query.username { add({ "username = $\($0)" }, username) }
        if let address = query.address { add({ "address = $\($0)" }, address) }
        if let outcome = query.outcome { add({ "outcome = $\($0)" }, outcome.rawValue) }
        if !query.events.isEmpty { add({ "event = ANY($\($0)::text[])" }, query.events.map(\.rawValue)) }
        if let since = query.since { add({ "time >= $\($0)" }, since.microseconds) }
        if let until = query.until { add({ "time < $\($0)" }, until.microseconds) }
        binds.append(Int64(max(0, query.limit)))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.auditColumns) FROM audit_log \(whereClause) ORDER BY id DESC LIMIT $\(binds.count)"
        let statement = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try await read { connection in
            try await connection.query(statement, logger: logger).collect().map(Self.auditRecord(from:))
        }
    }

    /// Walks the chain in one snapshot (`REPEATABLE READ`), streaming rows from the server
    /// into ``AuditChainVerifier``: memory stays flat however long the log is, and writers on
    /// every replica go on meanwhile.
    public func verifyAuditChain(
        expecting expected: [AuditChainPoint], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> AuditVerification {
        try await read { connection in
            try await connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let anchor = try await connection.query(
                    "SELECT last_id, hash FROM audit_anchor WHERE id = 1", logger: logger
                ).collect().first.map { row in
                    let row = PostgresRowReader(row)
                    return (id: row.int64(0), hash: row.bytes(1))
                }
                let head = try await connection.query(
                    "SELECT last_id FROM audit_head WHERE id = 1", logger: logger
                ).collect().first.map { PostgresRowReader($0).int64(0) } ?? 0
                // The head remembers every id handed out, also of rows deleted from the end.
                var verifier = AuditChainVerifier(
                    anchor: anchor, expecting: expected, highestIssuedID: head, progress: progress)
                let rows = try await connection.query(
                    "SELECT \(unescaped: Self.auditColumns) FROM audit_log ORDER BY id", logger: logger)
                // Read to the end even after a break: the connection goes back to the pool,
                // and a half-read result would be in the next user's way.
                var intact = true
                for try await row in rows where intact {
                    intact = verifier.check(Self.auditRecord(from: row))
                }
                try await connection.run("COMMIT", logger: logger)
                return verifier.finish()
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
