import AuthStore
import Logging
import NIOCore
import PostgresNIO

/// The audit rows one transaction appends, decided from the chain's head that the
/// transaction holds locked.
///
/// ``lockHead(on:logger:)`` is the transaction's first statement; ``append(_:at:)`` only
/// computes the row (``AuditChainTip``); ``flush(on:logger:)`` writes every row in one
/// statement and moves the head. Ids come from the head, not from a sequence, so a rolled
/// back transaction leaves no gap for `audit verify` to report.
struct PostgresAuditAppender {
    private var tip: AuditChainTip
    private(set) var rows: [AuditRecord] = []

    private init(tip: AuditChainTip) {
        self.tip = tip
    }

    /// Locks the head row until the transaction ends and reads it.
    static func lockHead(on connection: PostgresConnection, logger: Logger) async throws -> PostgresAuditAppender {
        let rows = try await connection.query(
            "SELECT last_id, last_time, last_hash FROM audit_head WHERE id = 1 FOR UPDATE", logger: logger
        ).collect()
        guard let first = rows.first else {
            throw StoreError(.database, "audit_head has no row: the schema is damaged")
        }
        let row = PostgresRowReader(first)
        return PostgresAuditAppender(
            tip: AuditChainTip(
                id: row.int64(0), time: row.isNull(1) ? nil : Timestamp(microseconds: row.int64(1)),
                hash: row.bytes(2)))
    }

    /// Adds the row recording `entry`; returns its id.
    @discardableResult
    mutating func append(_ entry: AuditEntry, at time: Timestamp) -> Int64 {
        let row = tip.append(entry, at: time)
        rows.append(row)
        return row.id
    }

    /// Inserts the appended rows and records the new head; nothing when none was appended.
    func flush(on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        let entries = rows.map(\.entry)
        let ids = rows.map(\.id)
        let times = rows.map(\.time.microseconds)
        let events = entries.map(\.event.rawValue)
        let outcomes = entries.map(\.outcome.rawValue)
        let reasons = entries.map { $0.reason?.rawValue ?? "" }
        let usernames = entries.map(\.username)
        let sessions = entries.map(\.session)
        let addresses = entries.map(\.context.address)
        let agents = entries.map(\.context.userAgent)
        let requests = entries.map(\.context.requestID)
        let counts = entries.map { Int64($0.count) }
        let details = entries.map(\.detail)
        let hashes = rows.map { ByteBuffer(bytes: $0.hash) }
        try await connection.run(
            """
            INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent,
                request_id, count, detail, hash)
            SELECT * FROM unnest(\(ids)::bigint[], \(times)::bigint[], \(events)::text[], \(outcomes)::text[],
                \(reasons)::text[], \(usernames)::text[], \(sessions)::text[], \(addresses)::text[], \(agents)::text[],
                \(requests)::text[], \(counts)::bigint[], \(details)::text[], \(hashes)::bytea[])
            """, logger: logger)
        try await connection.run(
            "UPDATE audit_head SET last_id = \(tip.id), last_time = \(tip.time?.microseconds), last_hash = \(ByteBuffer(bytes: tip.hash)) WHERE id = 1",
            logger: logger)
    }
}
