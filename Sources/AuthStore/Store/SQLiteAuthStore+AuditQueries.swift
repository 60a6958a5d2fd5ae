extension SQLiteAuthStore {
    /// Audit rows matching `query`, newest first.
    ///
    /// A username, event or address filter is served by its index walked backwards, so the
    /// newest `limit` rows come without sorting the whole match. Outcome and wide time
    /// filters walk the table backwards by id; a time window with few rows is read through
    /// the time index and sorted (see below). An old `until` still costs every newer row
    /// (BENCHMARKS.md, "Audit queries over 10M rows").
    public func queryAudit(_ query: AuditQuery) async throws -> [AuditRecord] {
        var conditions: [String] = []
        var values: [SQLiteBindable] = []
        if let username = query.username {
            conditions.append("username = ?")
            values.append(username)
        }
        if !query.events.isEmpty {
            conditions.append("event IN (\(query.events.map { _ in "?" }.joined(separator: ", ")))")
            values += query.events.map(\.rawValue)
        }
        if let outcome = query.outcome {
            conditions.append("outcome = ?")
            values.append(outcome.rawValue)
        }
        // The time bounds are kept apart too: the small-window probe below reuses them.
        var timeConditions: [String] = []
        var timeValues: [SQLiteValue] = []
        if let since = query.since {
            timeConditions.append("time >= ?")
            timeValues.append(.integer(since.microseconds))
        }
        if let until = query.until {
            timeConditions.append("time < ?")
            timeValues.append(.integer(until.microseconds))
        }
        conditions += timeConditions
        values += timeValues as [SQLiteBindable]
        if let address = query.address {
            conditions.append("address = ?")
            values.append(address)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        values.append(max(0, query.limit))
        let bindings = values.map(\.sqliteValue)
        let timeWindow = timeConditions.isEmpty ? nil : (timeConditions.joined(separator: " AND "), timeValues)
        return try await read { connection in
            // For a time filter SQLite walks the table backwards by id (it satisfies the ORDER
            // BY and stops at the limit), which costs every row newer than the window: the
            // whole table when the window is empty, e.g. `--since 1h` on a quiet server. When
            // the window holds few rows (counted on the time index, at most a few thousand
            // entries read), reading them through that index and sorting is far cheaper.
            // Either plan returns the same rows; only the cost differs.
            var hint = ""
            if let (condition, bounds) = timeWindow {
                let probe = "SELECT count(*) FROM (SELECT 1 FROM audit_log INDEXED BY audit_by_time WHERE \(condition) LIMIT ?)"
                let inWindow = try connection.queryFirst(probe, bounds.map { $0 as SQLiteBindable } + [Self.smallTimeWindow]) { $0.int64(0) } ?? 0
                if inWindow < Self.smallTimeWindow { hint = "INDEXED BY audit_by_time" }
            }
            let sql = "SELECT \(Self.auditColumns) FROM audit_log \(hint) \(filter) ORDER BY id DESC LIMIT ?"
            return try connection.query(sql, bindings.map { $0 as SQLiteBindable }, Self.auditRecord(from:))
        }
    }

    /// Below this many rows in the time window, the time index plus a sort beats the
    /// backwards walk by id.
    static let smallTimeWindow: Int64 = 2_000

    /// Walks the chain from the anchor (or genesis) and checks every row's hash.
    ///
    /// - Parameter progress: called now and then with (rows checked, rows in total).
    public func verifyAuditChain(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> AuditVerification
    {
        try await read { connection in
            // One read transaction: the walk sees one consistent snapshot.
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            let total = Int(try connection.scalarInt("SELECT count(*) FROM audit_log"))
            let anchor = try connection.queryFirst("SELECT last_id, hash FROM audit_anchor WHERE id = 1") { ($0.int64(0), $0.bytes(1)) }
            var previous = anchor?.1 ?? AuditChain.genesis
            var expectedID = (anchor?.0 ?? 0) + 1
            var checked = 0
            var firstBad: Int64?
            // Streamed row by row: memory stays flat however long the log is.
            try connection.forEachRow("SELECT \(Self.auditColumns) FROM audit_log ORDER BY id") { row in
                let record = Self.auditRecord(from: row)
                let hash = AuditChain.hash(previous: previous, id: record.id, time: record.time, entry: record.entry)
                if record.id != expectedID || !ConstantTime.equal(hash, record.hash) {
                    firstBad = record.id
                    return false
                }
                previous = record.hash
                expectedID = record.id + 1
                checked += 1
                if checked % 100_000 == 0 { progress(checked, total) }
                return true
            }
            if firstBad == nil {
                // Rows deleted from the end leave no successor to break; AUTOINCREMENT's
                // high-water mark still remembers them.
                let highest = try connection.scalarInt("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)")
                if highest >= expectedID { firstBad = expectedID }
            }
            return AuditVerification(checked: checked, firstBadID: firstBad, headHash: Hex.encode(previous))
        }
    }

    /// Deletes audit rows older than `before`, in batches so the writer is never held
    /// for long, keeping the chain verifiable: the hash of the last deleted row becomes
    /// the anchor the first remaining row chains to. Records an `audit_prune` row.
    /// - Returns: the number of rows deleted.
    @discardableResult
    public func pruneAudit(before: Timestamp, batchSize: Int = 10_000, at time: Timestamp,
                           context: AuditContext) async throws -> Int {
        var deleted = 0
        while true {
            let count = try await write { connection -> Int in
                guard let last = try connection.queryFirst(
                    "SELECT max(id) FROM (SELECT id FROM audit_log WHERE time < ? ORDER BY id LIMIT ?)",
                    [before.microseconds, batchSize], { $0.isNull(0) ? nil : $0.int64(0) }) ?? nil
                else { return 0 }
                let hash = try connection.queryFirst("SELECT hash FROM audit_log WHERE id = ?", [last]) { $0.bytes(0) } ?? []
                try connection.run(
                    "INSERT INTO audit_anchor (id, last_id, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash",
                    last, hash)
                return try connection.run("DELETE FROM audit_log WHERE id <= ?", last)
            }
            deleted += count
            if count < batchSize { break }
        }
        try await recordAudit(.success(.auditPrune, username: "", context: context), at: time)
        return deleted
    }
}
