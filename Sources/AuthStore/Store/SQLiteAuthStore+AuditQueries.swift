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
    ///   found on the time index in O(log n). Rows written before migration 0003 carry no
    ///   such guarantee; while any remain, they are searched separately by comparing time.
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
            let index =
                query.username != nil
                ? "audit_by_username"
                : query.address != nil
                    ? "audit_by_address"
                    : !query.events.isEmpty ? "audit_by_event" : nil
            let source = "audit_log " + (index.map { "INDEXED BY \($0)" } ?? "NOT INDEXED")

            // Each arm is one backwards walk stopped at `limit`; the arms' rows are merged.
            // `event IN (a, b)` on the event index would read every row of both events and
            // sort them; one walk per event does not.
            var arms: [AuditFilter] = []
            for window in try Self.timeWindows(since: query.since, until: query.until, on: connection) {
                var arm = filter
                arm.add(window)
                if index == "audit_by_event" && query.events.count > 1 {
                    for event in query.events {
                        var perEvent = arm
                        perEvent.add("event = ?", event.rawValue)
                        arms.append(perEvent)
                    }
                } else {
                    if !query.events.isEmpty {
                        arm.add(
                            "event IN (\(query.events.map { _ in "?" }.joined(separator: ", ")))",
                            query.events.map { $0.rawValue as SQLiteBindable })
                    }
                    arms.append(arm)
                }
            }
            let selects = arms.map {
                "SELECT \(Self.auditColumns) FROM \(source) \($0.whereClause) ORDER BY id DESC LIMIT ?"
            }
            let values = arms.flatMap { $0.values + [limit as SQLiteBindable] }
            switch selects.count {
            case 0:
                return []
            case 1:
                return try connection.query(selects[0], values, Self.auditRecord(from:))
            default:
                let sql =
                    selects.map { "SELECT * FROM (\($0))" }.joined(separator: " UNION ALL ")
                    + " ORDER BY id DESC LIMIT ?"
                return try connection.query(sql, values + [limit], Self.auditRecord(from:))
            }
        }
    }

    /// The conditions that select rows with `since <= time < until`, one per part of the log
    /// that is searched differently; no conditions at all when neither bound is given, and
    /// none when no row can match.
    ///
    /// Ordered rows (``AuditOrdering``) get an id range; rows before the boundary, written
    /// before the writer kept time in order, get plain time comparisons, and only while the
    /// window can meet them.
    static func timeWindows(since: Timestamp?, until: Timestamp?, on connection: SQLiteConnection) throws
        -> [AuditFilter]
    {
        guard since != nil || until != nil else { return [AuditFilter()] }
        if let since, let until, until <= since { return [] }
        let ordering = try AuditOrdering.read(on: connection)
        var windows: [AuditFilter] = []
        // Ordered rows: from the first at or after `since` to just before the first at or
        // after `until`.
        let lower = try since.map { try ordering.firstOrderedID(atOrAfter: $0, on: connection) } ?? ordering.orderedFrom
        if let lower {
            var ordered = AuditFilter()
            ordered.add("id >= ?", lower)
            if let until, let end = try ordering.firstOrderedID(atOrAfter: until, on: connection) {
                ordered.add("id < ?", end)
            }
            windows.append(ordered)
        }
        if try ordering.olderRowsMayMatch(since: since, until: until, on: connection) {
            var older = AuditFilter()
            older.add("id < ?", ordering.orderedFrom)
            if let since { older.add("time >= ?", since.microseconds) }
            if let until { older.add("time < ?", until.microseconds) }
            windows.append(older)
        }
        return windows
    }

    /// Walks the chain from the anchor (or genesis), checks every row's hash, checks that a
    /// recorded prune explains the anchor (``AuditAnchorCheck``), and looks up each expected
    /// row.
    ///
    /// - Parameters:
    ///   - expected: rows recorded elsewhere earlier (typically a previous head) that must
    ///     still be in the chain with their hash, or have been removed by a recorded prune.
    ///   - progress: called now and then with (rows checked, rows in total).
    public func verifyAuditChain(
        expecting expected: [AuditChainPoint], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> AuditVerification {
        try await read { connection in
            // One read transaction: the walk sees one consistent snapshot.
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            let anchor = try connection.queryFirst("SELECT last_id, hash FROM audit_anchor WHERE id = 1") {
                ($0.int64(0), $0.bytes(1))
            }
            // AUTOINCREMENT's high-water mark remembers rows deleted from the end.
            let highest = try connection.scalarInt(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)")
            let orderedFrom = try AuditOrdering.read(on: connection).orderedFrom
            var verifier = AuditChainVerifier(
                anchor: anchor.map { (id: $0.0, hash: $0.1) }, orderedFrom: orderedFrom, expecting: expected,
                highestIssuedID: highest, progress: progress)
            // Streamed row by row in rowid order (`id` is the rowid: no sort), each row read in
            // place: memory stays flat however long the log is, and no row allocates.
            try connection.forEachRow("SELECT \(Self.auditColumns) FROM audit_log ORDER BY id") { row in
                verifier.check(fields: SQLiteAuditRow(row))
            }
            return verifier.finish()
        }
    }
}

/// WHERE conditions and their bound values, kept in step.
struct AuditFilter {
    private(set) var conditions: [String] = []
    private(set) var values: [SQLiteBindable] = []

    mutating func add(_ condition: String, _ value: SQLiteBindable) {
        add(condition, [value])
    }

    mutating func add(_ condition: String, _ values: [SQLiteBindable]) {
        conditions.append(condition)
        self.values += values
    }

    mutating func add(_ other: AuditFilter) {
        conditions += other.conditions
        values += other.values
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
}
