/// Everything authd keeps: users, sessions, failure counters and the audit trail.
///
/// One protocol per concern, so that code needing only one of them says so; ``AuthStorage``
/// is all of them, and an engine (SQLite in this module, PostgreSQL in `AuthStorePostgres`)
/// conforms to it. The HTTP layer and the CLI see only these protocols.
///
/// Each method is one domain operation and one transaction: a change and the audit row that
/// records it commit together, and a method returns only after its commit is durable. Every
/// method throws ``StoreError``.
public protocol AuthStorage: UserStore, SessionStore, ThrottleStore, AuditStore, StoreAdministration {}

extension AuditStore {
    /// Walks the hash chain with no expected rows (``verifyAuditChain(expecting:progress:)``).
    public func verifyAuditChain(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> AuditVerification
    {
        try await verifyAuditChain(expecting: [], progress: progress)
    }
}
