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
    /// The highest PBKDF2 iteration count among stored password hashes; nil with no users.
    /// The server makes every password check cost as much as this one (equal timing).
    func maxPasswordIterations() async throws -> Int?
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
    /// enabled and still has the hash that was checked. Replaces the hash with `rehash`
    /// when given: a compare-and-swap, since the writer runs it only while the checked hash
    /// is still stored. Audited as a successful `login`.
    /// - Returns: the session; `.hashChanged` (nothing written) when another login rehashed
    ///   or an operator changed the password meanwhile, so the caller checks the password
    ///   against the current hash and tries again; `.refused` (nothing written) when the
    ///   user was disabled or deleted meanwhile.
    func createSession(
        for user: User, tokenHash: [UInt8], policy: SessionPolicy, rehash: String?,
        at time: Timestamp, context: AuditContext
    ) async throws -> SessionOpening
    /// Looks a token up for `verify`: a read, plus a write only for a coarse last-activity
    /// update or an expired session's removal. A failure is not audited here: refusals
    /// that checked no secret are audited by the caller, within bounds.
    func verifySession(
        tokenHash: [UInt8], policy: SessionPolicy, at time: Timestamp,
        context: AuditContext
    ) async throws -> TokenLookup
    /// Ends the session of a bearer token (logout) and audits it. An unknown or expired
    /// token is not audited here (the caller audits refusals within bounds).
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
    /// Walks the hash chain; reports the first row that does not match, whether a recorded
    /// prune explains the anchor, and what became of each expected row.
    func verifyAuditChain(expecting expected: [AuditChainPoint], progress: @escaping @Sendable (Int, Int) -> Void)
        async throws -> AuditVerification
    /// Records an `audit_prune` row with the range it is about to delete, then deletes rows
    /// older than `before` in batches, keeping the chain verifiable. Returns what was deleted
    /// and what had to stay.
    @discardableResult
    func pruneAudit(before: Timestamp, batchSize: Int, at time: Timestamp, context: AuditContext) async throws
        -> AuditPruneResult

    // MARK: Throttling

    /// Admits a credential check from `address` for `username`, or refuses it.
    ///
    /// The count and the reservation are one write transaction, so concurrent attempts
    /// cannot all pass a check that none of them has been counted in yet: an admitted
    /// attempt counts as a failure from this moment. `.busy` when the limit is reached only
    /// by attempts still being checked. Another engine must keep that property across
    /// replicas (e.g. by locking the counters' keys in the transaction).
    func admitAttempt(
        username: String, address: String, policy: ThrottlePolicy,
        at time: Timestamp
    ) async throws -> ThrottleAdmission
    /// Gives back the slot of an attempt that checked no secret after all (the hashing
    /// queue was full), so it does not count as a failure.
    func releaseAttempt(_ reservation: AttemptReservation) async throws
    /// Turns an admitted attempt's slot into a failure and appends its audit row, in one
    /// transaction.
    func recordLoginFailure(_ entry: AuditEntry, reservation: AttemptReservation, at time: Timestamp) async throws
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

    // MARK: Import

    /// The stored password hashes that are not authd's own PBKDF2-SHA256 PHC strings: hashes
    /// imported from another system whose users have not logged in since. The server reads
    /// their schemes and costs (at most once a minute) so every password check spends one
    /// check of each scheme present (equal timing).
    ///
    /// Plain SQL on any engine: `SELECT password_hash FROM users WHERE
    /// substr(password_hash, 1, 15) <> '$pbkdf2-sha256$'`.
    func importedPasswordHashes() async throws -> [String]
    /// Creates every user of `users` in one transaction, each with a `user_import` audit row
    /// (detail `scheme=…`) in the chain; all or nothing. `.userExists` (nothing written) when
    /// a name is taken; `.invalidInput` for a name the username rule refuses.
    func importUsers(_ users: [ImportedUser], at time: Timestamp, context: AuditContext) async throws
}

extension AuthStorage {
    /// Walks the hash chain with no expected rows (``verifyAuditChain(expecting:progress:)``).
    public func verifyAuditChain(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> AuditVerification
    {
        try await verifyAuditChain(expecting: [], progress: progress)
    }
}
