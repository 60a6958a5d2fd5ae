/// Failure counters are keyed by username and ``IPAddress/group(_:)`` of the client
/// address: an IPv6 client is one counter for its whole /64, and every spelling of one
/// address is the same counter.
extension SQLiteAuthStore {
    public func admitAttempt(
        username: String, address: String, policy: ThrottlePolicy,
        at time: Timestamp
    ) async throws -> ThrottleAdmission {
        let address = IPAddress.group(address)
        let since = (time - policy.window).microseconds
        let staleBefore = (time - policy.pendingLifetime).microseconds
        return try await write { connection in
            // Counted and reserved on the single writer, in one transaction: two attempts
            // cannot both see the last free slot. A row is decided when it is a failure, or
            // a pending slot too old to belong to a check still running.
            let decided = "(pending = 0 OR time <= ?)"
            func limit(_ sql: String, _ values: [SQLiteBindable], _ limit: Int) throws -> ThrottleAdmission? {
                let (all, failures) =
                    try connection.queryFirst(
                        "SELECT count(*), count(*) FILTER (WHERE \(decided)) FROM login_failures WHERE \(sql)",
                        [staleBefore] + values
                    ) { ($0.int(0), $0.int(1)) } ?? (0, 0)
                guard failures >= limit else { return all >= limit ? .busy : nil }
                // The k-th oldest failure in the window is the one whose expiry brings the
                // count back under the limit.
                let oldest =
                    try connection.queryFirst(
                        "SELECT time FROM login_failures WHERE \(sql) AND \(decided) ORDER BY time LIMIT 1 OFFSET ?",
                        values + [staleBefore, failures - limit], { $0.int64(0) }) ?? time.microseconds
                return .blocked(untilExpiryOf: oldest, window: policy.window, now: time)
            }
            let verdict = ThrottleAdmission.strongest([
                try limit(
                    "username = ? AND address = ? AND time > ?", [username, address, since],
                    policy.perUserAndAddress),
                try limit("address = ? AND time > ?", [address, since], policy.perAddress),
            ])
            if let verdict { return verdict }
            try connection.run(
                "INSERT INTO login_failures (username, address, time, pending) VALUES (?, ?, ?, 1)",
                username, address, time.microseconds)
            return .admitted(AttemptReservation(id: connection.lastInsertRowID))
        }
    }

    public func releaseAttempt(_ reservation: AttemptReservation) async throws {
        try await write { try $0.run("DELETE FROM login_failures WHERE id = ?", reservation.id) }
    }

    public func recordLoginFailure(_ entry: AuditEntry, reservation: AttemptReservation, at time: Timestamp)
        async throws
    {
        try await write { connection in
            // The pending slot becomes a failure. A success of the same username and address
            // may have cleared it meanwhile; the failure still counts.
            let converted = try connection.run(
                "UPDATE login_failures SET pending = 0 WHERE id = ?", reservation.id)
            if converted == 0 {
                try connection.run(
                    "INSERT INTO login_failures (username, address, time) VALUES (?, ?, ?)",
                    entry.username, IPAddress.group(entry.context.address), time.microseconds)
            }
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
        let address = address.map(IPAddress.group)
        return try await write { connection in
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
