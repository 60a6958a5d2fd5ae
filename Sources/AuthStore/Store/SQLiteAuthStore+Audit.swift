extension SQLiteAuthStore {
    static let auditColumns =
        "id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash, count, detail"

    static func auditRecord(from row: Row) -> AuditRecord {
        let entry = AuditEntry(
            event: AuditEvent(rawValue: row.string(2)) ?? .login,
            outcome: AuditOutcome(rawValue: row.string(3)) ?? .failure,
            reason: AuditReason(rawValue: row.string(4)),
            username: row.string(5), session: row.string(6),
            context: AuditContext(address: row.string(7), userAgent: row.string(8), requestID: row.string(9)),
            count: Int(row.int64(11)), detail: row.string(12))
        return AuditRecord(
            id: row.int64(0), time: Timestamp(microseconds: row.int64(1)), entry: entry, hash: row.bytes(10))
    }

    public func recordAudit(_ entry: AuditEntry, at time: Timestamp) async throws {
        try await write { try AuditChain.append(entry, at: time, on: $0) }
    }

    public func recentAudit(limit: Int) async throws -> [AuditRecord] {
        try await read {
            try $0.query(
                "SELECT \(Self.auditColumns) FROM audit_log ORDER BY id DESC LIMIT ?", [limit], Self.auditRecord(from:))
        }
    }
}
