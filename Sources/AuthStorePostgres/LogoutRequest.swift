import AuthStore

/// One bearer logout waiting for its batch (``PostgresAuditBatcher``).
struct LogoutRequest: Sendable {
    let tokenHash: [UInt8]
    let policy: SessionPolicy
    let time: Timestamp
    let context: AuditContext
}
