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
    /// Rows from `audit_ordering.ordered_from_id` on are in time order, so their window is an
    /// id range. Older rows, written before the writer kept time in order, get plain time
    /// comparisons; that part is left out once no such row remains (pruning removes them).
    static func timeWindows(since: Timestamp?, until: Timestamp?, on connection: SQLiteConnection) throws
        -> [AuditFilter]
    {
        guard since != nil || until != nil else { return [AuditFilter()] }
        let orderedFrom = try orderedFromID(on: connection)
        var windows: [AuditFilter] = []
        // Ordered rows: from the first at or after `since` to just before the first at or
        // after `until`.
        let lower =
            try since.map { try firstOrderedID(atOrAfter: $0, orderedFrom: orderedFrom, on: connection) } ?? orderedFrom
        if let lower {
            var ordered = AuditFilter()
            ordered.add("id >= ?", lower)
            if let until, let end = try firstOrderedID(atOrAfter: until, orderedFrom: orderedFrom, on: connection) {
                ordered.add("id < ?", end)
            }
            windows.append(ordered)
        }
        if try connection.scalarInt("SELECT EXISTS (SELECT 1 FROM audit_log WHERE id < ?)", orderedFrom) == 1 {
            var older = AuditFilter()
            older.add("id < ?", orderedFrom)
            if let since { older.add("time >= ?", since.microseconds) }
            if let until { older.add("time < ?", until.microseconds) }
            windows.append(older)
        }
        return windows
    }

    /// The first audit id whose time the writer keeps in order (migration 0003).
    static func orderedFromID(on connection: SQLiteConnection) throws -> Int64 {
        try connection.queryFirst("SELECT ordered_from_id FROM audit_ordering WHERE id = 1") { $0.int64(0) } ?? 1
    }

    /// The id of the first ordered row (id ≥ `orderedFrom`) recorded at or after `time`, or
    /// nil if there is none. With time non-decreasing over those ids, `time >= t` holds
    /// exactly for ids from this one on.
    static func firstOrderedID(atOrAfter time: Timestamp, orderedFrom: Int64, on connection: SQLiteConnection) throws
        -> Int64?
    {
        guard
            let first = try connection.queryFirst(
                "SELECT id, time FROM audit_log WHERE id >= ? ORDER BY id LIMIT 1", [orderedFrom],
                { (id: $0.int64(0), time: $0.int64(1)) })
        else { return nil }
        // Every ordered row is at or after the first one's time; answering here also keeps
        // the time-index walk below from stepping over older rows at earlier times.
        if time.microseconds <= first.time { return first.id }
        return try connection.queryFirst(
            "SELECT id FROM audit_log INDEXED BY audit_by_time WHERE time >= ? AND id >= ? ORDER BY time, id LIMIT 1",
            [time.microseconds, orderedFrom]
        ) { $0.int64(0) }
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
            let anchor = try connection.queryFirst("SELECT last_id, hash FROM audit_anchor WHERE id = 1") {
                ($0.int64(0), $0.bytes(1))
            }
            var previous = anchor?.1 ?? AuditChain.genesis
            var expectedID = (anchor?.0 ?? 0) + 1
            var previousTime: Timestamp?
            let orderedFrom = try Self.orderedFromID(on: connection)
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
                // writer. Rows from before migration 0003 were written without that rule.
                if record.id >= orderedFrom, let previousTime, record.time < previousTime {
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
                let highest = try connection.scalarInt(
                    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)")
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
    public func pruneAudit(
        before: Timestamp, batchSize: Int = 10_000, at time: Timestamp,
        context: AuditContext
    ) async throws -> Int {
        var deleted = 0
        while true {
            let count = try await write { connection -> Int in
                // The chain can only lose a prefix: everything before the oldest kept row.
                let kept = try Self.firstKeptID(before: before, on: connection) ?? Int64.max
                guard
                    let last = try connection.queryFirst(
                        "SELECT max(id) FROM (SELECT id FROM audit_log WHERE id < ? ORDER BY id LIMIT ?)",
                        [kept, batchSize], { $0.isNull(0) ? nil : $0.int64(0) }) ?? nil
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
        try await recordAudit(.success(.auditPrune, username: "", context: context), at: time)
        return deleted
    }
}

extension SQLiteAuthStore {
    /// The id of the oldest row that pruning before `before` keeps: the first row recorded
    /// at or after `before`, or nil when every row is older.
    ///
    /// Rows from before migration 0003 may be slightly out of time order, so among them the
    /// first one at or after `before` is found by walking them oldest first (they are the
    /// rows being pruned, so the walk costs no more than the deletion); a row a few
    /// microseconds older than `before` may be kept, a newer one is never deleted.
    static func firstKeptID(before: Timestamp, on connection: SQLiteConnection) throws -> Int64? {
        let orderedFrom = try orderedFromID(on: connection)
        if let older = try connection.queryFirst(
            "SELECT id FROM audit_log NOT INDEXED WHERE id < ? AND time >= ? ORDER BY id LIMIT 1",
            [orderedFrom, before.microseconds], { $0.int64(0) })
        {
            return older
        }
        return try firstOrderedID(atOrAfter: before, orderedFrom: orderedFrom, on: connection)
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
