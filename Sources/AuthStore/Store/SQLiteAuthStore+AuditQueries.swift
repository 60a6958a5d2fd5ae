extension SQLiteAuthStore {
    /// Audit rows matching `query`, newest first (highest id first).
    ///
    /// Every query walks one index backwards and stops after `limit` matches, so its cost
    /// does not grow with the log:
    /// - username, address or event filters walk their own index (an equality range of an
    ///   index is in id order); several events walk one range each and merge the newest;
    /// - outcome alone, or no filter, walks the table itself by id;
    /// - time bounds become id bounds: the writer keeps `time` non-decreasing in id
    ///   (`AuditChain.append`), so a time window is exactly an id range, whose ends are
    ///   found on the time index in O(log n).
    /// The index is named explicitly: authd never runs `ANALYZE`, and without statistics
    /// SQLite may prefer an id range that reads millions of rows to reach a rare user.
    public func queryAudit(_ query: AuditQuery) async throws -> [AuditRecord] {
        let limit = max(0, query.limit)
        return try await read { connection in
            // One read transaction: the id bounds and the rows come from one snapshot.
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            var filter = AuditFilter()
            if let username = query.username { filter.add("username = ?", username) }
            if let address = query.address { filter.add("address = ?", address) }
            if let outcome = query.outcome { filter.add("outcome = ?", outcome.rawValue) }
            if let since = query.since {
                guard let first = try Self.firstID(atOrAfter: since, on: connection) else { return [] }
                filter.add("id >= ?", first)
            }
            if let until = query.until, let end = try Self.firstID(atOrAfter: until, on: connection) {
                filter.add("id < ?", end)
            }
            let index = query.username != nil ? "audit_by_username"
                : query.address != nil ? "audit_by_address"
                : !query.events.isEmpty ? "audit_by_event" : nil
            let source = "audit_log " + (index.map { "INDEXED BY \($0)" } ?? "NOT INDEXED")

            if index == "audit_by_event" && query.events.count > 1 {
                // `event IN (a, b)` on the event index reads every row of both events and
                // sorts them; one backwards walk per event, each stopped at `limit`, does not.
                var arms: [String] = []
                var values: [SQLiteBindable] = []
                for event in query.events {
                    var arm = filter
                    arm.add("event = ?", event.rawValue)
                    arms.append("SELECT * FROM (SELECT \(Self.auditColumns) FROM \(source) \(arm.whereClause) ORDER BY id DESC LIMIT ?)")
                    values += arm.values + [limit]
                }
                let sql = arms.joined(separator: " UNION ALL ") + " ORDER BY id DESC LIMIT ?"
                return try connection.query(sql, values + [limit], Self.auditRecord(from:))
            }
            if !query.events.isEmpty {
                filter.add("event IN (\(query.events.map { _ in "?" }.joined(separator: ", ")))", query.events.map { $0.rawValue as SQLiteBindable })
            }
            let sql = "SELECT \(Self.auditColumns) FROM \(source) \(filter.whereClause) ORDER BY id DESC LIMIT ?"
            return try connection.query(sql, filter.values + [limit], Self.auditRecord(from:))
        }
    }

    /// The id of the first row recorded at or after `time`, or nil if there is none.
    /// With time non-decreasing in id, `time >= t` holds exactly for ids from this one on.
    static func firstID(atOrAfter time: Timestamp, on connection: SQLiteConnection) throws -> Int64? {
        try connection.queryFirst(
            "SELECT id FROM audit_log INDEXED BY audit_by_time WHERE time >= ? ORDER BY time, id LIMIT 1",
            [time.microseconds]) { $0.int64(0) }
    }

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
            var previousTime: Timestamp?
            var checked = 0
            var failure: AuditVerification.Failure?
            // Streamed row by row: memory stays flat however long the log is.
            try connection.forEachRow("SELECT \(Self.auditColumns) FROM audit_log ORDER BY id") { row in
                let record = Self.auditRecord(from: row)
                let hash = AuditChain.hash(previous: previous, id: record.id, time: record.time, entry: record.entry)
                if record.id != expectedID || !ConstantTime.equal(hash, record.hash) {
                    failure = .brokenChain(at: record.id)
                    return false
                }
                // Queries rely on time never decreasing (`AuditChain.append`); a valid hash
                // with an earlier time means a row written by something other than authd's
                // writer.
                if let previousTime, record.time < previousTime {
                    failure = .timeGoesBackwards(at: record.id)
                    return false
                }
                previous = record.hash
                previousTime = record.time
                expectedID = record.id + 1
                checked += 1
                if checked % 100_000 == 0 { progress(checked, total) }
                return true
            }
            if failure == nil {
                // Rows deleted from the end leave no successor to break; AUTOINCREMENT's
                // high-water mark still remembers them.
                let highest = try connection.scalarInt("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)")
                if highest >= expectedID { failure = .brokenChain(at: expectedID) }
            }
            return AuditVerification(checked: checked, failure: failure, headHash: Hex.encode(previous))
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

/// WHERE conditions and their bound values, kept in step.
private struct AuditFilter {
    private(set) var conditions: [String] = []
    private(set) var values: [SQLiteBindable] = []

    mutating func add(_ condition: String, _ value: SQLiteBindable) {
        add(condition, [value])
    }

    mutating func add(_ condition: String, _ values: [SQLiteBindable]) {
        conditions.append(condition)
        self.values += values
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
}
