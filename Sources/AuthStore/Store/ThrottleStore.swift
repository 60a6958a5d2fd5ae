/// Failed-login counters and the admission of credential checks.
public protocol ThrottleStore: Sendable {
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
}
