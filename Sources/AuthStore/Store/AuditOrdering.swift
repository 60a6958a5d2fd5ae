/// Where the audit log's time order starts (migration 0003, table `audit_ordering`).
///
/// Rows with id ≥ `orderedFrom` are non-decreasing in time: the writer records
/// `max(now, previous time)` (`AuditChain.append`), and the migration put the boundary at
/// the row of the last step back an older writer left. For those rows a time bound is an id bound,
/// found on the time index in O(log n). Rows before the boundary can be in any time order;
/// they are filtered by comparing their time, and `olderTimes` (their time range when the
/// migration ran) lets a window that cannot meet them skip them altogether.
struct AuditOrdering: Sendable {
    let orderedFrom: Int64
    let olderTimes: ClosedRange<Int64>?

    static func read(on connection: SQLiteConnection) throws -> AuditOrdering {
        try connection.queryFirst(
            "SELECT ordered_from_id, older_min_time, older_max_time FROM audit_ordering WHERE id = 1"
        ) { row in
            AuditOrdering(
                orderedFrom: row.int64(0),
                olderTimes: row.isNull(1) || row.isNull(2) ? nil : row.int64(1)...row.int64(2))
        } ?? AuditOrdering(orderedFrom: 1, olderTimes: nil)
    }

    /// Whether some row before the boundary may have `since <= time < until`: one is
    /// still there (pruning removes them) and the window meets their time range.
    func olderRowsMayMatch(since: Timestamp?, until: Timestamp?, on connection: SQLiteConnection) throws -> Bool {
        guard let olderTimes else { return false }
        if let since, since.microseconds > olderTimes.upperBound { return false }
        if let until, until.microseconds <= olderTimes.lowerBound { return false }
        return try connection.scalarInt("SELECT EXISTS (SELECT 1 FROM audit_log WHERE id < ?)", orderedFrom) == 1
    }

    /// The id of the first ordered row recorded at or after `time`, or nil if there is none.
    /// With time non-decreasing over those ids, `time >= t` holds exactly for ids from this
    /// one on.
    func firstOrderedID(atOrAfter time: Timestamp, on connection: SQLiteConnection) throws -> Int64? {
        guard
            let first = try connection.queryFirst(
                "SELECT id, time FROM audit_log WHERE id >= ? ORDER BY id LIMIT 1", [orderedFrom],
                { (id: $0.int64(0), time: $0.int64(1)) })
        else { return nil }
        // Every ordered row is at or after the first one's time. Answering here also keeps
        // the time-index walk below from stepping over older rows at later times.
        if time.microseconds <= first.time { return first.id }
        return try connection.queryFirst(
            "SELECT id FROM audit_log INDEXED BY audit_by_time WHERE time >= ? AND id >= ? ORDER BY time, id LIMIT 1",
            [time.microseconds, orderedFrom]
        ) { $0.int64(0) }
    }
}
