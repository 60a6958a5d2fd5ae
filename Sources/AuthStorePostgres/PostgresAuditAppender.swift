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
        guard let tip = try await connection.rows(PostgresStatements.LockHead(), logger: logger).first else {
            throw StoreError(.database, "audit_head has no row: the schema is damaged")
        }
        return PostgresAuditAppender(tip: tip)
    }

    /// Adds the row recording `entry`; returns its id.
    @discardableResult
    mutating func append(_ entry: AuditEntry, at time: Timestamp) -> Int64 {
        let row = tip.append(entry, at: time)
        rows.append(row)
        return row.id
    }

    /// Inserts the appended rows and records the new head, in one statement; nothing when
    /// none was appended.
    func flush(on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        _ = try await connection.rows(PostgresStatements.AppendAudit(rows: rows, tip: tip), logger: logger)
    }
}
