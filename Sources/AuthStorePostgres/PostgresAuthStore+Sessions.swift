import AuthStore
import NIOCore
import PostgresNIO

extension PostgresAuthStore {
    private static let sessionQuery = """
        SELECT s.id, u.username, s.created_at, s.expires_at, s.last_seen_at, s.address, s.user_agent
        FROM sessions s JOIN users u ON u.id = s.user_id
        """

    static func session(from row: PostgresRow) -> Session {
        let row = PostgresRowReader(row)
        return Session(
            id: row.string(0), username: row.string(1), createdAt: Timestamp(microseconds: row.int64(2)),
            expiresAt: Timestamp(microseconds: row.int64(3)), lastSeenAt: Timestamp(microseconds: row.int64(4)),
            address: row.string(5), userAgent: row.string(6))
    }

    public func createSession(
        for user: User, tokenHash: [UInt8], policy: SessionPolicy, rehash: String?,
        at time: Timestamp, context: AuditContext
    ) async throws -> SessionOpening {
        try await auditedTransaction { [self] connection, audit in
            // The password was checked outside the transaction; every change to a user is
            // audited, so holding the head lock means no one changes this user until commit.
            // A user deleted and added again under the same name is another account.
            let found = try await findUser(user.name, on: connection)
            guard let current = found, current.id == user.id, !current.disabled else {
                return .refused(found?.id == user.id ? .disabled : .unknownUser)
            }
            guard current.passwordHash == user.passwordHash else { return .hashChanged(current) }
            if let rehash {
                try await connection.run(
                    "UPDATE users SET password_hash = \(rehash), updated_at = \(time.microseconds) WHERE id = \(user.id)",
                    logger: logger)
            }
            let session = Session(
                id: Session.newID(), username: user.name, createdAt: time,
                expiresAt: time + policy.lifetime, lastSeenAt: time,
                address: context.address, userAgent: context.userAgent)
            try await connection.run(
                """
                INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, address, user_agent)
                VALUES (\(session.id), \(ByteBuffer(bytes: tokenHash)), \(user.id), \(time.microseconds),
                    \(session.expiresAt.microseconds), \(time.microseconds), \(session.address), \(session.userAgent))
                """, logger: logger)
            // A success clears this username+address pair's failure count.
            try await connection.run(
                "DELETE FROM login_failures WHERE username = \(user.name) AND address = \(IPAddress.group(context.address))",
                logger: logger)
            audit.append(.success(.login, username: user.name, session: session.id, context: context), at: time)
            return .opened(session)
        }
    }

    public func verifySession(
        tokenHash: [UInt8], policy: SessionPolicy, at time: Timestamp,
        context: AuditContext
    ) async throws -> TokenLookup {
        let found = try await sessionFinder.find(tokenHash)
        guard let session = found else { return .unknown }
        if session.isExpired(at: time, policy: policy) {
            try await transaction { connection in
                try await connection.run("DELETE FROM sessions WHERE id = \(session.id)", logger: logger)
            }
            return .expired(session)
        }
        // Coarse last-activity, as on SQLite: at most one write per granularity per session.
        guard time >= session.lastSeenAt + policy.activityGranularity else { return .valid(session) }
        try await transaction { connection in
            try await connection.run(
                """
                UPDATE sessions SET last_seen_at = \(time.microseconds)
                WHERE id = \(session.id) AND last_seen_at < \(time.microseconds)
                """, logger: logger)
        }
        return .valid(session.seen(at: time))
    }

    public func endSession(
        tokenHash: [UInt8], policy: SessionPolicy, at time: Timestamp,
        context: AuditContext
    ) async throws -> TokenLookup {
        try requireWritable()
        return try await batcher.submitLogout(
            LogoutRequest(tokenHash: tokenHash, policy: policy, time: time, context: context))
    }

    /// Ends the sessions of a batch's logouts with one statement and audits each that was
    /// valid, in request order. Of two requests with one token, the first gets the session
    /// and the second finds it unknown, as if they had run one after the other.
    static func endSessions(
        _ requests: [LogoutRequest], on connection: PostgresConnection, audit: inout PostgresAuditAppender,
        logger: Logger
    ) async throws -> [TokenLookup] {
        let ended = try await connection.rows(
            PostgresStatements.EndSessions(tokenHashes: requests.map(\.tokenHash)), logger: logger)
        var byToken = Dictionary(ended.map { ($0.tokenHash, $0.session) }, uniquingKeysWith: { first, _ in first })
        return requests.map { request in
            guard let session = byToken.removeValue(forKey: request.tokenHash) else { return .unknown }
            if session.isExpired(at: request.time, policy: request.policy) { return .expired(session) }
            audit.append(
                .success(.logout, username: session.username, session: session.id, context: request.context),
                at: request.time)
            return .valid(session)
        }
    }

    @discardableResult
    public func endAllSessions(of user: User, at time: Timestamp, context: AuditContext) async throws -> Int {
        try await auditedTransaction { [self] connection, audit in
            let ended = try await connection.query(
                "DELETE FROM sessions WHERE user_id = \(user.id) RETURNING id", logger: logger
            ).collect().count
            try await connection.run(
                "DELETE FROM login_failures WHERE username = \(user.name) AND address = \(IPAddress.group(context.address))",
                logger: logger)
            audit.append(.success(.logoutAll, username: user.name, context: context), at: time)
            return ended
        }
    }

    public func sessions(username: String?) async throws -> [Session] {
        try await read { connection in
            if let username {
                // A mistyped name is an error, not an empty list that looks like "no sessions".
                _ = try await requireUser(username, on: connection)
                return try await connection.query(
                    "\(unescaped: Self.sessionQuery) WHERE u.username = \(username) ORDER BY s.created_at DESC",
                    logger: logger
                ).collect().map(Self.session(from:))
            }
            return try await connection.query(
                "\(unescaped: Self.sessionQuery) ORDER BY s.created_at DESC", logger: logger
            ).collect().map(Self.session(from:))
        }
    }

    public func revokeSession(id: String, at time: Timestamp, context: AuditContext) async throws {
        try await auditedTransaction { [self] connection, audit in
            let rows = try await connection.query(
                """
                WITH ended AS (DELETE FROM sessions WHERE id = \(id) RETURNING user_id)
                SELECT u.username FROM ended e JOIN users u ON u.id = e.user_id
                """, logger: logger
            ).collect()
            guard let row = rows.first else { throw StoreError(.sessionNotFound, "no session with id \"\(id)\"") }
            audit.append(
                .success(.sessionRevoke, username: PostgresRowReader(row).string(0), session: id, context: context),
                at: time)
        }
    }

    @discardableResult
    public func revokeSessions(username: String, at time: Timestamp, context: AuditContext) async throws -> Int {
        try await auditedTransaction { [self] connection, audit in
            let user = try await requireUser(username, on: connection)
            let count = try await connection.query(
                "DELETE FROM sessions WHERE user_id = \(user.id) RETURNING id", logger: logger
            ).collect().count
            audit.append(.success(.sessionRevoke, username: username, context: context), at: time)
            return count
        }
    }

    /// Deletes expired sessions in batches of ``sweepBatch``. One replica sweeps at a time
    /// (`pg_try_advisory_xact_lock`): the others find the lock taken and return 0 at once,
    /// and `SKIP LOCKED` passes over rows a logout is deleting right now.
    @discardableResult
    public func deleteExpiredSessions(policy: SessionPolicy, at time: Timestamp) async throws -> Int {
        // The same rule as `Session.isExpired`: lastSeen + cutoff <= now.
        let idleCutoff = policy.idleCutoff.map { (time - $0).microseconds } ?? Int64.min
        return try await sweep { connection in
            try await connection.query(
                """
                DELETE FROM sessions WHERE id IN (
                    SELECT id FROM sessions WHERE expires_at <= \(time.microseconds) OR last_seen_at <= \(idleCutoff)
                    LIMIT \(Self.sweepBatch) FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, logger: logger
            ).collect().count
        }
    }

    static let sweepBatch = 1000

    /// Runs `batch` until it deletes fewer than ``sweepBatch`` rows, each batch its own
    /// transaction holding the sweep lock; 0 when another replica is sweeping.
    func sweep(_ batch: (PostgresConnection) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await transaction { connection -> Int? in
                let locked = try await connection.query(
                    "SELECT pg_try_advisory_xact_lock(hashtext('authd.sweep'), hashtext(current_schema()))", logger: logger
                ).collect()
                guard PostgresRowReader(locked[0]).bool(0) else { return nil }
                return try await batch(connection)
            }
            guard let deleted else { return total }
            total += deleted
            if deleted < Self.sweepBatch { return total }
        }
    }
}
