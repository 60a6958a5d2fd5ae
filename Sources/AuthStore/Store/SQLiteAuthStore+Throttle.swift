extension SQLiteAuthStore {
    public func throttleDecision(
        username: String, address: String, policy: ThrottlePolicy,
        at time: Timestamp
    ) async throws -> ThrottleDecision {
        let since = (time - policy.window).microseconds
        return try await read { connection in
            // The k-th oldest failure in the window is the one whose expiry brings the
            // count back under the limit.
            func blockedUntil(_ sql: String, _ values: [SQLiteBindable], limit: Int) throws -> Int64? {
                let count =
                    try connection.queryFirst("SELECT count(*) FROM login_failures WHERE \(sql)", values) { $0.int(0) }
                    ?? 0
                guard count >= limit else { return nil }
                return try connection.queryFirst(
                    "SELECT time FROM login_failures WHERE \(sql) ORDER BY time LIMIT 1 OFFSET ?",
                    values + [count - limit],
                    { $0.int64(0) })
            }
            let pair = try blockedUntil(
                "username = ? AND address = ? AND time > ?", [username, address, since],
                limit: policy.perUserAndAddress)
            let wide = try blockedUntil("address = ? AND time > ?", [address, since], limit: policy.perAddress)
            guard let oldest = [pair, wide].compactMap({ $0 }).max() else { return .allowed }
            let remaining = oldest + policy.window.wholeMicroseconds - time.microseconds
            return .blocked(retryAfterSeconds: max(1, Int((remaining + 999_999) / 1_000_000)))
        }
    }

    public func recordLoginFailure(_ entry: AuditEntry, at time: Timestamp) async throws {
        try await write { connection in
            try connection.run(
                "INSERT INTO login_failures (username, address, time) VALUES (?, ?, ?)",
                entry.username, entry.context.address, time.microseconds)
            try AuditChain.append(entry, at: time, on: connection)
        }
    }

    public func throttleEntries(policy: ThrottlePolicy, at time: Timestamp) async throws -> [ThrottleEntry] {
        let since = (time - policy.window).microseconds
        return try await read { connection in
            try connection.query(
                """
                SELECT username, address, count(*), min(time), max(time) FROM login_failures
                WHERE time > ? GROUP BY username, address ORDER BY max(time) DESC
                """, [since]
            ) {
                ThrottleEntry(
                    username: $0.string(0), address: $0.string(1), failures: $0.int(2),
                    first: Timestamp(microseconds: $0.int64(3)), last: Timestamp(microseconds: $0.int64(4)))
            }
        }
    }

    @discardableResult
    public func clearThrottle(
        username: String?, address: String?, at time: Timestamp,
        context: AuditContext
    ) async throws -> Int {
        try await write { connection in
            let count = try connection.run(
                "DELETE FROM login_failures WHERE (?1 IS NULL OR username = ?1) AND (?2 IS NULL OR address = ?2)",
                username, address)
            try AuditChain.append(
                .success(.throttleClear, username: username ?? "", context: context), at: time, on: connection)
            return count
        }
    }

    @discardableResult
    public func deleteExpiredFailures(policy: ThrottlePolicy, at time: Timestamp) async throws -> Int {
        try await write {
            try $0.run("DELETE FROM login_failures WHERE time <= ?", (time - policy.window).microseconds)
        }
    }
}
