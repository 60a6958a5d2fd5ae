extension SQLiteAuthStore {
    static let auditColumns = AuditRecord.storedColumns

    static func auditRecord(from row: Row) -> AuditRecord {
        AuditRecord(
            stored: row.int64(0), time: row.int64(1), event: row.string(2), outcome: row.string(3),
            reason: row.string(4), username: row.string(5), session: row.string(6), address: row.string(7),
            userAgent: row.string(8), requestID: row.string(9), hash: row.bytes(10), count: Int(row.int64(11)),
            detail: row.string(12))
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
