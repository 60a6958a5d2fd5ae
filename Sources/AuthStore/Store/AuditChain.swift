/// The audit log's hash chain.
///
/// Each row's hash is SHA-256 over the previous row's hash and the row's canonical content
/// (every field, length-prefixed so no two rows encode alike). The first row chains to
/// `genesis`; after pruning, to the hash of the last pruned row (the anchor).
package enum AuditChain {
    package static let genesis = [UInt8](repeating: 0, count: 32)

    /// The row's hash.
    ///
    /// The ten fields every row has always had come first. `count` and `detail` (migration
    /// 0004) follow as an 11th and 12th field only when either differs from its default (1
    /// and empty), and then both: a row written before 0004 has exactly those defaults, so
    /// its hash is unchanged and old chains keep verifying. This stays unambiguous because
    /// every field is length-prefixed: the bytes after the previous hash split into fields
    /// in exactly one way, so their number (10 or 12) is part of what is hashed, and a row
    /// with a count or detail never encodes like one without. Both are always appended
    /// together so that a count of "5" cannot encode like a detail of "5".
    ///
    /// The bytes are written by ``AuditRowHasher``, which `audit verify` also feeds from
    /// stored rows read in place: one definition for writing and checking.
    package static func hash(previous: [UInt8], id: Int64, time: Timestamp, entry: AuditEntry) -> [UInt8] {
        AuditRowHasher().hash(previous: previous, AuditEntryFields(id: id, time: time, entry: entry)).bytes
    }

    /// Appends `entry` inside the caller's write transaction on SQLite. Only the single
    /// writer calls this, so the row read as "previous" is the last one and the chain cannot
    /// fork; ``AuditChainTip`` decides the row.
    @discardableResult
    static func append(_ entry: AuditEntry, at now: Timestamp, on connection: SQLiteConnection) throws -> Int64 {
        let last = try connection.queryFirst("SELECT hash, time FROM audit_log ORDER BY id DESC LIMIT 1") {
            (hash: $0.bytes(0), time: Timestamp(microseconds: $0.int64(1)))
        }
        let previous =
            try last?.hash
            ?? connection.queryFirst("SELECT hash FROM audit_anchor WHERE id = 1") { $0.bytes(0) }
            ?? genesis
        // AUTOINCREMENT keeps ids increasing even after the newest rows are gone; the id is
        // part of the hashed content, so it is chosen before the insert.
        let lastID = try connection.scalarInt(
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)")
        var tip = AuditChainTip(id: lastID, time: last?.time, hash: previous)
        let row = tip.append(entry, at: now)
        try connection.run(
            """
            INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent, request_id,
                count, detail, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            row.id, row.time.microseconds, entry.event.rawValue, entry.outcome.rawValue, entry.reason?.rawValue ?? "",
            entry.username, entry.session, entry.context.address, entry.context.userAgent, entry.context.requestID,
            Int64(entry.count), entry.detail, row.hash
        )
        return row.id
    }
}
