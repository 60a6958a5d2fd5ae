extension SQLiteAuthStore {
    private static let sessionQuery = """
        SELECT s.id, u.username, s.created_at, s.expires_at, s.last_seen_at, s.address, s.user_agent
        FROM sessions s JOIN users u ON u.id = s.user_id
        """

    private static func session(from row: Row) -> Session {
        Session(
            id: row.string(0), username: row.string(1), createdAt: Timestamp(microseconds: row.int64(2)),
            expiresAt: Timestamp(microseconds: row.int64(3)), lastSeenAt: Timestamp(microseconds: row.int64(4)),
            address: row.string(5), userAgent: row.string(6))
    }

    private static func findSession(tokenHash: [UInt8], on connection: SQLiteConnection) throws -> Session? {
        try connection.queryFirst("\(sessionQuery) WHERE s.token_hash = ?", [tokenHash], session(from:))
    }

    public func createSession(
        for user: User, tokenHash: [UInt8], policy: SessionPolicy, rehash: String?,
        at time: Timestamp, context: AuditContext
    ) async throws -> SessionOpening {
        try await write { connection in
            // The password was checked outside the transaction (PBKDF2 is slow); make sure
            // the account did not change meanwhile.
            // A user deleted and added again under the same name is another account.
            let found = try Self.findUser(user.name, on: connection)
            guard let current = found, current.id == user.id, !current.disabled else {
                return .refused(found?.id == user.id ? .disabled : .unknownUser)
            }
            guard current.passwordHash == user.passwordHash else { return .hashChanged(current) }
            if let rehash {
                try connection.run(
                    "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                    rehash, time.microseconds, user.id)
            }
            let session = Session(
                id: Session.newID(), username: user.name, createdAt: time,
                expiresAt: time + policy.lifetime, lastSeenAt: time,
                address: context.address, userAgent: context.userAgent)
            try connection.run(
                """
                INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, address, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                session.id, tokenHash, user.id, time.microseconds, session.expiresAt.microseconds,
                time.microseconds, session.address, session.userAgent)
            // A success clears this username+address pair's failure count (docs/api.md "Throttling").
            try connection.run(
                "DELETE FROM login_failures WHERE username = ? AND address = ?", user.name,
                IPAddress.group(context.address))
            try AuditChain.append(
                .success(.login, username: user.name, session: session.id, context: context),
                at: time, on: connection)
            return .opened(session)
        }
    }

    public func verifySession(
        tokenHash: [UInt8], policy: SessionPolicy, at time: Timestamp,
        context: AuditContext
    ) async throws -> TokenLookup {
        let found = try await read { try Self.findSession(tokenHash: tokenHash, on: $0) }
        guard let session = found else { return .unknown }
        if session.isExpired(at: time, policy: policy) {
            try await write { try $0.run("DELETE FROM sessions WHERE token_hash = ?", tokenHash) }
            return .expired(session)
        }
        // Coarse last-activity: at most one write per granularity per session keeps verify a
        // read; the idle check allows for the lag this leaves (`SessionPolicy`).
        guard time >= session.lastSeenAt + policy.activityGranularity else { return .valid(session) }
        try await write { connection in
            try connection.run(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?",
                time.microseconds, tokenHash, time.microseconds)
        }
        return .valid(session.seen(at: time))
    }

    public func endSession(
        tokenHash: [UInt8], policy: SessionPolicy, at time: Timestamp,
        context: AuditContext
    ) async throws -> TokenLookup {
        try await write { connection in
            guard let session = try Self.findSession(tokenHash: tokenHash, on: connection) else { return .unknown }
            try connection.run("DELETE FROM sessions WHERE token_hash = ?", tokenHash)
            if session.isExpired(at: time, policy: policy) { return .expired(session) }
            try AuditChain.append(
                .success(.logout, username: session.username, session: session.id, context: context),
                at: time, on: connection)
            return .valid(session)
        }
    }

    @discardableResult
    public func endAllSessions(of user: User, at time: Timestamp, context: AuditContext) async throws -> Int {
        try await write { connection in
            let count = try connection.run("DELETE FROM sessions WHERE user_id = ?", user.id)
            try connection.run(
                "DELETE FROM login_failures WHERE username = ? AND address = ?", user.name,
                IPAddress.group(context.address))
            try AuditChain.append(.success(.logoutAll, username: user.name, context: context), at: time, on: connection)
            return count
        }
    }

    public func sessions(username: String?) async throws -> [Session] {
        try await read { connection in
            if let username {
                // A mistyped name is an error, not an empty list that looks like "no sessions".
                _ = try Self.requireUser(username, on: connection)
                return try connection.query(
                    "\(Self.sessionQuery) WHERE u.username = ? ORDER BY s.created_at DESC",
                    [username], Self.session(from:))
            }
            return try connection.query("\(Self.sessionQuery) ORDER BY s.created_at DESC", [], Self.session(from:))
        }
    }

    public func revokeSession(id: String, at time: Timestamp, context: AuditContext) async throws {
        // Sessions are keyed by token hash, and only this operator's command looks one up by
        // id: it finds the key with a scan on a reader, so the writer is not held for it.
        let notFound = StoreError(.sessionNotFound, "no session with id \"\(id)\"")
        guard
            let tokenHash = try await read({
                try $0.queryFirst("SELECT token_hash FROM sessions WHERE id = ?", [id]) { $0.bytes(0) }
            })
        else { throw notFound }
        try await write { connection in
            // Ended meanwhile (logout, expiry): the same answer as if the scan had missed it.
            guard
                let session = try connection.queryFirst(
                    "\(Self.sessionQuery) WHERE s.token_hash = ? AND s.id = ?", [tokenHash, id], Self.session(from:))
            else { throw notFound }
            try connection.run("DELETE FROM sessions WHERE token_hash = ?", tokenHash)
            try AuditChain.append(
                .success(.sessionRevoke, username: session.username, session: id, context: context),
                at: time, on: connection)
        }
    }

    @discardableResult
    public func revokeSessions(username: String, at time: Timestamp, context: AuditContext) async throws -> Int {
        try await write { connection in
            let user = try Self.requireUser(username, on: connection)
            let count = try connection.run("DELETE FROM sessions WHERE user_id = ?", user.id)
            try AuditChain.append(
                .success(.sessionRevoke, username: username, context: context), at: time, on: connection)
            return count
        }
    }

    @discardableResult
    public func deleteExpiredSessions(policy: SessionPolicy, at time: Timestamp) async throws -> Int {
        // The same rule as `Session.isExpired`: lastSeen + cutoff <= now. A scan of the table
        // (no index serves an OR over two columns; migration 0006 dropped the expiry index
        // that every login and logout paid for).
        let idleCutoff = policy.idleCutoff.map { (time - $0).microseconds } ?? Int64.min
        return try await write { connection in
            try connection.run(
                "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                time.microseconds, idleCutoff)
        }
    }
}
