/// Everything authd keeps: users, sessions and the audit trail.
///
/// This protocol is the only door into persistence for the HTTP layer and the CLI, so a
/// second backend (PostgreSQL) is a new conforming type, not a rewrite. Each method is one
/// domain operation and one transaction: a change and the audit row that records it commit
/// together, and a method returns only after its commit is durable.
///
/// Every method throws ``StoreError``.
public protocol AuthStorage: Sendable {
    // MARK: Users

    /// Number of user accounts (enabled or not).
    func userCount() async throws -> Int
    func user(named name: String) async throws -> User?
    /// All users, ordered by name.
    func users() async throws -> [User]
    /// Creates a user; `.userExists` if the name is taken. Audited as `user_add`.
    @discardableResult
    func addUser(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws -> User
    /// Replaces the password hash and ends the user's sessions. Audited as `user_passwd`.
    func changePassword(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws
    /// Disables (ending the user's sessions) or enables a user. Audited as `user_disable` / `user_enable`.
    func setDisabled(name: String, _ disabled: Bool, at time: Timestamp, context: AuditContext) async throws
    /// Deletes a user and their sessions. Audited as `user_delete`.
    func deleteUser(name: String, at time: Timestamp, context: AuditContext) async throws

    // MARK: Sessions

    /// Opens a session after a successful password check, provided the user is still
    /// enabled and still has the hash that was checked (a concurrent `passwd` or `disable`
    /// wins). Replaces the hash with `rehash` when given. Audited as a successful `login`.
    /// - Returns: the session, or `nil` when the user changed in between.
    func createSession(
        for user: User, tokenHash: [UInt8], policy: SessionPolicy, rehash: String?,
        at time: Timestamp, context: AuditContext
    ) async throws -> Session?
    /// Looks a token up for `verify`: a read, plus a write only for a coarse last-activity
    /// update, an expired session's removal, or the audit row of a failure.
    func verifySession(
        tokenHash: [UInt8], policy: SessionPolicy, at time: Timestamp,
        context: AuditContext
    ) async throws -> TokenLookup
    /// Ends the session of a bearer token (logout); audits success or the failure.
    func endSession(
        tokenHash: [UInt8], policy: SessionPolicy, at time: Timestamp,
        context: AuditContext
    ) async throws -> TokenLookup
    /// Ends every session of a user (Basic logout). Audited as `logout_all`.
    /// - Returns: how many sessions ended.
    @discardableResult
    func endAllSessions(of user: User, at time: Timestamp, context: AuditContext) async throws -> Int
    /// Open sessions, optionally of one user, newest first.
    /// - Throws: `StoreError` `.userNotFound` when `username` names no user.
    func sessions(username: String?) async throws -> [Session]
    /// Revokes one session by its public id; `.sessionNotFound` if none. Audited as `session_revoke`.
    func revokeSession(id: String, at time: Timestamp, context: AuditContext) async throws
    /// Revokes all sessions of a user; `.userNotFound` if no such user. Audited as `session_revoke`.
    @discardableResult
    func revokeSessions(username: String, at time: Timestamp, context: AuditContext) async throws -> Int
    /// Deletes sessions past their lifetime or idle timeout. Not audited: nothing changed
    /// hands, the sessions were already unusable.
    @discardableResult
    func deleteExpiredSessions(policy: SessionPolicy, at time: Timestamp) async throws -> Int

    // MARK: Audit

    /// Appends one audit row on its own (a failed attempt, which changes nothing else).
    func recordAudit(_ entry: AuditEntry, at time: Timestamp) async throws
    /// The newest audit rows, newest first.
    func recentAudit(limit: Int) async throws -> [AuditRecord]
    /// Audit rows matching every given filter, newest first.
    func queryAudit(_ query: AuditQuery) async throws -> [AuditRecord]
    /// Walks the hash chain; reports the first row that does not match.
    func verifyAuditChain(progress: @escaping @Sendable (Int, Int) -> Void) async throws -> AuditVerification
    /// Deletes rows older than `before` in batches, keeping the chain verifiable, and
    /// records an `audit_prune` row. Returns what was deleted and what had to stay.
    @discardableResult
    func pruneAudit(before: Timestamp, batchSize: Int, at time: Timestamp, context: AuditContext) async throws
        -> AuditPruneResult

    // MARK: Throttling

    /// Whether a credential check from `address` for `username` may run now.
    func throttleDecision(
        username: String, address: String, policy: ThrottlePolicy,
        at time: Timestamp
    ) async throws -> ThrottleDecision
    /// Counts a failed credential check and appends its audit row, in one transaction.
    func recordLoginFailure(_ entry: AuditEntry, at time: Timestamp) async throws
    /// Failure counters inside the window, most recent first.
    func throttleEntries(policy: ThrottlePolicy, at time: Timestamp) async throws -> [ThrottleEntry]
    /// Deletes failure counters (all, or of a username and/or address). Audited as `throttle_clear`.
    @discardableResult
    func clearThrottle(username: String?, address: String?, at time: Timestamp, context: AuditContext) async throws
        -> Int
    /// Deletes counters older than the window, keeping the table bounded.
    @discardableResult
    func deleteExpiredFailures(policy: ThrottlePolicy, at time: Timestamp) async throws -> Int

    // MARK: Maintenance

    /// Session count and database size, for `/metrics` (a count over the sessions table:
    /// fine once per scrape, not per request).
    func statistics() async throws -> StoreStatistics
    /// A cheap query proving the database answers.
    /// - Returns: the schema version (the newest applied migration), for `/healthz`.
    func ping() async throws -> Int
    /// Whether writes are getting through: a database that answers `ping` can still fail
    /// every commit (a full disk). Returns at once, without queueing behind the writes.
    func writerHealth() -> WriterHealth
    /// Applied and pending migrations.
    func migrationStatus() async throws -> [MigrationStatus]
    /// A consistent copy of the live database at `destination` (which must not exist).
    func backup(to destination: String) async throws
    /// Finishes queued writes and closes the database.
    func close() async
}
