/// Sessions: opened by a login, looked up by verify, ended by logout, revocation or expiry.
public protocol SessionStore: Sendable {
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
}
