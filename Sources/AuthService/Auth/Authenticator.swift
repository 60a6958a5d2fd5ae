import AuthStore
import Logging

/// The login, logout and verify logic, independent of HTTP.
///
/// Every path that checks a password spends exactly one PBKDF2 run at the configured cost
/// before it decides, whether the user exists, is disabled, or typed the wrong password, so
/// the three failures cannot be told apart by time. Every attempt is audited in the same
/// transaction as the change it makes, and returns only after that commit.
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

    public init(
        store: any AuthStorage, hasher: PasswordHasher, pool: HashingPool, policy: SessionPolicy,
        throttle: ThrottlePolicy = ThrottlePolicy(), logoutURL: String = "",
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now, metrics: AuthMetrics = .disabled
    ) {
        self.store = store
        self.hasher = hasher
        self.pool = pool
        self.policy = policy
        self.throttle = throttle
        self.logoutURL = logoutURL
        self.clock = clock
        self.metrics = metrics
    }

    /// A successful login.
    public struct LoginResult: Sendable {
        public let username: String
        /// The bearer token: handed to the client once, never stored or logged.
        public let token: String
        public let session: Session
    }

    /// Checks Basic credentials and opens a session.
    /// - Throws: ``APIError``: 401 for any failed check, 503 when the hashing queue is full.
    public func login(username: String, password: String, context: AuditContext) async throws -> LoginResult {
        let user = try await checkPassword(username: username, password: password, event: .login, context: context)
        let rehash: String?
        if case .match(needsRehash: true) = user.verification {
            rehash = try await hashOnPool(password, event: .login)
        } else {
            rehash = nil
        }
        let token = Self.newToken()
        guard
            let session = try await store.createSession(
                for: user.record, tokenHash: Self.tokenHash(token), policy: policy, rehash: rehash, at: clock(),
                context: context)
        else {
            // The user was disabled or deleted between the password check and the session.
            metrics.attempt(.login, failure: .disabled)
            throw APIError.unauthorized
        }
        metrics.attempt(.login)
        return LoginResult(username: user.record.name, token: token, session: session)
    }

    /// Ends the session of a bearer token.
    /// - Returns: the username. - Throws: 401 when the token is unknown, expired or ended.
    public func logout(token: String, context: AuditContext) async throws -> String {
        let lookup = try await store.endSession(
            tokenHash: Self.tokenHash(token), policy: policy, at: clock(), context: context)
        return try username(from: lookup, operation: .logout)
    }

    /// Checks Basic credentials, then ends every session of the user.
    public func logoutEverywhere(username: String, password: String, context: AuditContext) async throws -> String {
        let user = try await checkPassword(username: username, password: password, event: .logoutAll, context: context)
        try await store.endAllSessions(of: user.record, at: clock(), context: context)
        metrics.attempt(.logout)
        return user.record.name
    }

    /// Checks a bearer token for a proxy or another service.
    /// - Returns: the session's username. - Throws: 401 when not valid.
    public func verify(token: String, context: AuditContext) async throws -> String {
        let lookup = try await store.verifySession(
            tokenHash: Self.tokenHash(token), policy: policy, at: clock(), context: context)
        return try username(from: lookup, operation: .verify)
    }

    /// Records an attempt refused before any check (malformed request) in the audit log.
    public func recordMalformed(_ event: AuditEvent, username: String = "", context: AuditContext) async throws {
        try await store.recordAudit(.failure(event, .malformed, username: username, context: context), at: clock())
        metrics.attempt(event, failure: .malformed)
    }

    // MARK: Helpers

    /// The session's username, counted as a success; 401 (counted) for an unknown or expired token.
    private func username(from lookup: TokenLookup, operation: AuthMetrics.Operation) throws -> String {
        switch lookup {
        case .valid(let session):
            metrics.attempt(operation)
            return session.username
        case .unknown:
            metrics.attempt(operation, failure: AuditReason.badToken.rawValue)
            throw APIError.unauthorized
        case .expired:
            metrics.attempt(operation, failure: AuditReason.expired.rawValue)
            throw APIError.unauthorized
        }
    }

    private struct CheckedUser {
        let record: User
        let verification: PasswordHasher.Verification
    }

    /// One PBKDF2 run whatever the outcome, unless throttled (429, no PBKDF2 at all);
    /// failures are counted, audited under `event` and thrown as 401.
    private func checkPassword(
        username: String, password: String, event: AuditEvent,
        context: AuditContext
    ) async throws -> CheckedUser {
        let decision = try await store.throttleDecision(
            username: username, address: context.address, policy: throttle, at: clock())
        if case .blocked(let seconds) = decision {
            try await store.recordAudit(.failure(event, .throttled, username: username, context: context), at: clock())
            metrics.attempt(event, failure: .throttled)
            throw APIError.tooManyRequests(retryAfter: seconds)
        }
        let user = try await store.user(named: username)
        let hasher = self.hasher
        let verification: PasswordHasher.Verification = try await onPool(event: event) {
            guard let user else {
                hasher.spendDummyWork(password)
                return .mismatch
            }
            return hasher.verify(password, against: user.passwordHash)
        }
        let failure: AuditReason?
        switch (user, verification) {
        case (nil, _): failure = .unknownUser
        case (let user?, _) where user.disabled: failure = .disabled
        case (_, .mismatch): failure = .badPassword
        default: failure = nil
        }
        guard let user, failure == nil else {
            try await store.recordLoginFailure(
                .failure(event, failure ?? .badPassword, username: username, context: context), at: clock())
            metrics.attempt(event, failure: failure ?? .badPassword)
            throw APIError.unauthorized
        }
        return CheckedUser(record: user, verification: verification)
    }

    private func hashOnPool(_ password: String, event: AuditEvent) async throws -> String {
        let hasher = self.hasher
        return try await onPool(event: event) { hasher.hash(password) }
    }

    /// Runs PBKDF2 work on the bounded pool, timing it there; a full queue is the
    /// contract's 503, counted as a failed `event` with reason `unavailable`.
    private func onPool<T: Sendable>(event: AuditEvent, _ work: @escaping @Sendable () -> T) async throws -> T {
        let metrics = self.metrics
        do {
            return try await pool.run {
                let started = ContinuousClock.now
                let result = work()
                metrics.pbkdf2(ContinuousClock.now - started)
                return result
            }
        } catch is HashingPool.Overloaded {
            metrics.attempt(AuthMetrics.Operation(event), failure: "unavailable")
            throw APIError.unavailable
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
