import AuthStore
import Logging

/// The login, logout and verify logic, independent of HTTP: it throws ``AuthFailure``,
/// which the HTTP layer maps to the contract.
///
/// Every attempt that checks a password is first admitted by the throttle, which counts it
/// from that moment (concurrent guesses cannot slip past the limit). It then spends one
/// PBKDF2 run whether the user exists, is disabled, or typed the wrong password, padded
/// to the cost of the costliest stored hash, plus one check of each imported scheme stored
/// (``CostFloor``), so the three failures cannot be told apart by time. Every attempt is
/// audited in the same transaction as the change it makes, and returns only after that
/// commit.
public struct Authenticator: Sendable {
    public let store: any AuthStorage
    public let hasher: PasswordHasher
    public let pool: HashingPool
    public let policy: SessionPolicy
    /// Failed-login limits; past them no PBKDF2 is spent and the answer is 429.
    public let throttle: ThrottlePolicy
    /// The post-logout URL for Basic logout (`--logout-url`).
    public let logoutURL: String
    /// Injected so tests can move time for TTL and idle expiry.
    public let clock: @Sendable () -> Timestamp
    /// Attempt counts by outcome and reason, PBKDF2 durations.
    public let metrics: AuthMetrics
    /// The cost every password check spends: the costliest stored hash's.
    public let costFloor: CostFloor
    /// Audits refusals that checked no secret, within bounds; must run as a service of
    /// the application, which writes its sums.
    public let refusals: RefusalAuditor
    /// Attempts waiting while the throttle limit is held by attempts still being checked.
    let admissions: AdmissionWait

    /// How often a login checks the password again when the stored hash changed under it
    /// (another login rehashed it). One retry settles a rehash; more means an operator is
    /// changing the password in a loop, and the login fails with an error, not a 401.
    static let maxSessionAttempts = 3

    public init(
        store: any AuthStorage, hasher: PasswordHasher, pool: HashingPool, policy: SessionPolicy,
        refusals: RefusalAuditor, throttle: ThrottlePolicy = ThrottlePolicy(), logoutURL: String = "",
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now, metrics: AuthMetrics = .disabled,
        costFloor: CostFloor? = nil
    ) {
        self.store = store
        self.refusals = refusals
        self.hasher = hasher
        self.pool = pool
        self.policy = policy
        self.throttle = throttle
        self.logoutURL = logoutURL
        self.clock = clock
        self.metrics = metrics
        self.costFloor = costFloor ?? CostFloor(configuredCost: hasher.iterations)
        // As many waiting as the hashing pool can queue: more could not be checked soon anyway.
        self.admissions = AdmissionWait(maxWaiting: pool.threads + pool.maxQueued)
    }

    /// A successful login.
    public struct LoginResult: Sendable {
        public let username: String
        /// The bearer token: handed to the client once, never stored or logged.
        public let token: String
        public let session: Session
    }

    /// Thrown when a login lost the race for the stored hash ``maxSessionAttempts`` times.
    struct HashKeptChanging: Error {}

    /// Checks Basic credentials and opens a session.
    ///
    /// When the stored hash changes between the check and the session (a concurrent login
    /// rehashed it), the password is checked against the new hash and the session tried
    /// again, so a correct password never fails because another login was faster.
    /// - Throws: ``AuthFailure``.
    public func login(username: String, password: String, context: AuditContext) async throws -> LoginResult {
        var user = try await checkPassword(username: username, password: password, event: .login, context: context)
        for _ in 0..<Self.maxSessionAttempts {
            let rehash: String?
            if case .match(needsRehash: true) = user.verification {
                rehash = try await hashOnPool(password, username: username, context: context)
            } else {
                rehash = nil
            }
            let token = Self.newToken()
            switch try await store.createSession(
                for: user.record, tokenHash: Self.tokenHash(token), policy: policy, rehash: rehash, at: clock(),
                context: context)
            {
            case .opened(let session):
                metrics.attempt(.login)
                return LoginResult(username: user.record.name, token: token, session: session)
            case .refused(let reason):
                // The user was disabled or deleted between the password check and the session.
                try await fail(.login, reason, username: username, reservation: user.reservation, context: context)
            case .hashChanged(let current):
                user = try await recheck(password, against: current, reservation: user.reservation, context: context)
            }
        }
        throw HashKeptChanging()
    }

    /// Ends the session of a bearer token.
    /// - Returns: the username. - Throws: ``AuthFailure`` when the token is unknown, expired or ended.
    public func logout(token: String, context: AuditContext) async throws -> String {
        let lookup = try await store.endSession(
            tokenHash: Self.tokenHash(token), policy: policy, at: clock(), context: context)
        return try await username(from: lookup, event: .logout, context: context)
    }

    /// Checks Basic credentials, then ends every session of the user.
    public func logoutEverywhere(username: String, password: String, context: AuditContext) async throws -> String {
        let user = try await checkPassword(username: username, password: password, event: .logoutAll, context: context)
        try await store.endAllSessions(of: user.record, at: clock(), context: context)
        metrics.attempt(.logout)
        return user.record.name
    }

    /// Checks a bearer token for a proxy or another service.
    /// - Returns: the session's username. - Throws: ``AuthFailure`` when not valid.
    public func verify(token: String, context: AuditContext) async throws -> String {
        let lookup = try await store.verifySession(
            tokenHash: Self.tokenHash(token), policy: policy, at: clock(), context: context)
        return try await username(from: lookup, event: .verify, context: context)
    }

    /// Records an attempt refused before any check (malformed request) in the audit log.
    public func recordMalformed(_ event: AuditEvent, username: String = "", context: AuditContext) async throws {
        try await recordRefusal(.failure(event, .malformed, username: username, context: context))
        metrics.attempt(event, failure: .malformed)
    }

    // MARK: Helpers

    /// The session's username, counted as a success; for an unknown or expired token, a
    /// refusal audited within bounds (no secret was checked), counted, and thrown.
    private func username(from lookup: TokenLookup, event: AuditEvent, context: AuditContext) async throws
        -> String
    {
        switch lookup {
        case .valid(let session):
            metrics.attempt(AuthMetrics.Operation(event))
            return session.username
        case .unknown:
            try await recordRefusal(.failure(event, .badToken, context: context))
            metrics.attempt(event, failure: .badToken)
            throw AuthFailure.invalidCredentials
        case .expired(let session):
            try await recordRefusal(
                .failure(event, .expired, username: session.username, session: session.id, context: context))
            metrics.attempt(event, failure: .expired)
            throw AuthFailure.invalidCredentials
        }
    }

    private struct CheckedUser {
        let record: User
        let verification: PasswordHasher.Verification
        /// The attempt's throttle slot, cleared by the session's transaction.
        let reservation: AttemptReservation
    }

    /// Admits the attempt (or refuses it: 429, no PBKDF2 at all), then PBKDF2 work of the
    /// floor's cost whatever the outcome; failures are counted, audited under `event` and
    /// thrown.
    private func checkPassword(
        username: String, password: String, event: AuditEvent,
        context: AuditContext
    ) async throws -> CheckedUser {
        let store = self.store
        let (throttle, clock) = (self.throttle, self.clock)
        let admission = try await admissions.admit {
            try await store.admitAttempt(username: username, address: context.address, policy: throttle, at: clock())
        }
        let reservation: AttemptReservation
        switch admission {
        case .admitted(let admitted):
            reservation = admitted
        case .blocked(let seconds):
            try await refuseAsThrottled(event, username: username, retryAfter: seconds, context: context)
        case .busy:
            // Still undecided after the longest wait: refused like a throttled attempt.
            try await refuseAsThrottled(event, username: username, retryAfter: 1, context: context)
        }
        let user = try await store.user(named: username)
        let floor = try await costFloor.current(from: store)
        let hasher = self.hasher
        let cost = user.map { hasher.cost(of: $0.passwordHash) } ?? 0
        let imported = user.flatMap { hasher.imported($0.passwordHash) }
        costFloor.met(cost: cost, imported: imported)
        let verification: PasswordHasher.Verification
        do {
            verification = try await onPool(
                refusal: .failure(event, .unavailable, username: username, context: context)
            ) {
                // The same iterations whoever asks, back to back on one thread.
                let result = user.map { hasher.verify(password, against: $0.passwordHash) } ?? .mismatch
                hasher.spendDummyWork(password, iterations: CostFloor.padding(cost: cost, floor: floor.iterations))
                floor.spendImported(password, checked: imported)
                return result
            }
        } catch let failure as AuthFailure where failure == .overloaded {
            // Refused before any secret was checked: the attempt gives its slot back.
            try await store.releaseAttempt(reservation)
            throw failure
        }
        let failure: AuditReason?
        switch (user, verification) {
        case (nil, _): failure = .unknownUser
        case (let user?, _) where user.disabled: failure = .disabled
        case (_, .mismatch): failure = .badPassword
        default: failure = nil
        }
        guard let user, failure == nil else {
            try await fail(
                event, failure ?? .badPassword, username: username, reservation: reservation, context: context)
        }
        return CheckedUser(record: user, verification: verification, reservation: reservation)
    }

    /// Checks the password against the hash stored now, after a concurrent change. No
    /// padding: only a password that already matched once gets here.
    private func recheck(
        _ password: String, against current: User, reservation: AttemptReservation, context: AuditContext
    ) async throws -> CheckedUser {
        let hasher = self.hasher
        let refusal = AuditEntry.failure(.login, .unavailable, username: current.name, context: context)
        let verification = try await onPool(refusal: refusal) {
            hasher.verify(password, against: current.passwordHash)
        }
        guard case .match = verification else {
            try await fail(.login, .badPassword, username: current.name, reservation: reservation, context: context)
        }
        return CheckedUser(record: current, verification: verification, reservation: reservation)
    }

    /// Audits and counts a failed credential check (its slot becomes a failure), then
    /// throws the one failure all share.
    private func fail(
        _ event: AuditEvent, _ reason: AuditReason, username: String, reservation: AttemptReservation,
        context: AuditContext
    ) async throws -> Never {
        try await store.recordLoginFailure(
            .failure(event, reason, username: username, context: context), reservation: reservation, at: clock())
        metrics.attempt(event, failure: reason)
        throw AuthFailure.invalidCredentials
    }

    private func refuseAsThrottled(_ event: AuditEvent, username: String, retryAfter: Int, context: AuditContext)
        async throws -> Never
    {
        try await recordRefusal(.failure(event, .throttled, username: username, context: context))
        metrics.attempt(event, failure: .throttled)
        throw AuthFailure.throttled(retryAfterSeconds: retryAfter)
    }

    /// Audits a request refused without checking any secret: a row of its own within the
    /// bounds, else a count in its kind's sum.
    private func recordRefusal(_ entry: AuditEntry) async throws {
        try await refusals.record(entry)
    }

    private func hashOnPool(_ password: String, username: String, context: AuditContext) async throws -> String {
        let hasher = self.hasher
        let refusal = AuditEntry.failure(.login, .unavailable, username: username, context: context)
        return try await onPool(refusal: refusal) { hasher.hash(password) }
    }

    /// Runs PBKDF2 work on the bounded pool, timing it there. A full queue is
    /// ``AuthFailure/overloaded`` (the contract's 503), audited as `refusal`.
    private func onPool<T: Sendable>(refusal: AuditEntry, _ work: @escaping @Sendable () -> T) async throws -> T {
        let metrics = self.metrics
        do {
            return try await pool.run {
                let started = ContinuousClock.now
                let result = work()
                metrics.pbkdf2(ContinuousClock.now - started)
                return result
            }
        } catch is HashingPool.Overloaded {
            try await recordRefusal(refusal)
            metrics.attempt(refusal.event, failure: .unavailable)
            throw AuthFailure.overloaded
        }
    }

    /// 32 bytes from the CSPRNG, base64url without padding: 43 characters.
    static func newToken() -> String {
        Base64.encodeURLUnpadded(SecureRandom.bytes(32))
    }

    /// What the store keys sessions by: SHA-256 of the token's text.
    static func tokenHash(_ token: String) -> [UInt8] {
        SHA256.digest(Array(token.utf8))
    }
}
