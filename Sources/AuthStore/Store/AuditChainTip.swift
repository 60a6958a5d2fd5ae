/// The newest row of the audit chain, and how the next one follows from it.
///
/// Each engine reads the tip inside its write transaction, under whatever makes that
/// transaction the only audit writer (SQLite's single writer connection; PostgreSQL's
/// locked `audit_head` row), and asks the tip for the next row. The arithmetic lives here
/// once: the next id, a time that never goes below the previous row's, and the row hash.
package struct AuditChainTip: Sendable, Equatable {
    /// The last id handed out; 0 before the first row.
    package private(set) var id: Int64
    /// The last row's time; nil before the first row.
    package private(set) var time: Timestamp?
    /// The last row's hash: what the next row chains to (the genesis or anchor hash when the
    /// log is empty).
    package private(set) var hash: [UInt8]

    package init(id: Int64, time: Timestamp?, hash: [UInt8]) {
        self.id = id
        self.time = time
        self.hash = hash
    }

    /// The row that records `entry` at `now`, and the tip moved past it.
    ///
    /// The recorded time never goes below the previous row's: if the wall clock steps back
    /// (or another replica's clock is behind), the row keeps the previous time. Time is
    /// therefore non-decreasing in id, which turns a time bound into an id bound for queries
    /// and lets `audit verify` check the order.
    package mutating func append(_ entry: AuditEntry, at now: Timestamp) -> AuditRecord {
        let id = self.id + 1
        let time = max(now, self.time ?? now)
        let hash = AuditChain.hash(previous: hash, id: id, time: time, entry: entry)
        self.id = id
        self.time = time
        self.hash = hash
        return AuditRecord(id: id, time: time, entry: entry, hash: hash)
    }
}
