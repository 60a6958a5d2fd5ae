import AuthStore
import PostgresNIO

/// Failure counters keyed by username and ``IPAddress/group(_:)``, as on SQLite.
extension PostgresAuthStore {
    public func admitAttempt(
        username: String, address: String, policy: ThrottlePolicy,
        at time: Timestamp
    ) async throws -> ThrottleAdmission {
        let address = IPAddress.group(address)
        let now = time.microseconds
        let since = (time - policy.window).microseconds
        let staleBefore = (time - policy.pendingLifetime).microseconds
        return try await transaction { connection in
            // Both counters contain the address, so one lock per address makes count-and-
            // reserve atomic across replicas: concurrent attempts from one client take turns
            // here, and none can see a free slot that another has just taken. Attempts from
            // other clients do not wait for each other.
            try await connection.run(
                "SELECT pg_advisory_xact_lock(hashtext('authd.throttle'), hashtext(current_schema() || ' ' || \(address)))", logger: logger)
            // A row is decided when it is a failure, or a pending slot too old to belong to a
            // check still running.
            func verdict(username: String?, limit: Int) async throws -> ThrottleAdmission? {
                let counts = try await connection.query(
                    """
                    SELECT count(*), count(*) FILTER (WHERE NOT pending OR time <= \(staleBefore))
                    FROM login_failures
                    WHERE address = \(address) AND time > \(since) AND (\(username)::text IS NULL OR username = \(username))
                    """, logger: logger
                ).collect()
                let all = PostgresRowReader(counts[0]).int(0)
                let failures = PostgresRowReader(counts[0]).int(1)
                guard failures >= limit else { return all >= limit ? .busy : nil }
                // The k-th oldest failure in the window is the one whose expiry brings the
                // count back under the limit.
                let oldest = try await connection.query(
                    """
                    SELECT time FROM login_failures
                    WHERE address = \(address) AND time > \(since) AND (\(username)::text IS NULL OR username = \(username))
                      AND (NOT pending OR time <= \(staleBefore))
                    ORDER BY time LIMIT 1 OFFSET \(failures - limit)
                    """, logger: logger
                ).collect().first.map { PostgresRowReader($0).int64(0) } ?? now
                return .blocked(untilExpiryOf: oldest, window: policy.window, now: time)
            }
            let strongest = ThrottleAdmission.strongest([
                try await verdict(username: username, limit: policy.perUserAndAddress),
                try await verdict(username: nil, limit: policy.perAddress),
            ])
            if let strongest { return strongest }
            let rows = try await connection.query(
                """
                INSERT INTO login_failures (username, address, time, pending)
                VALUES (\(username), \(address), \(now), true) RETURNING id
                """, logger: logger
            ).collect()
            return .admitted(AttemptReservation(id: PostgresRowReader(rows[0]).int64(0)))
        }
    }

    public func releaseAttempt(_ reservation: AttemptReservation) async throws {
        try await transaction { connection in
            try await connection.run("DELETE FROM login_failures WHERE id = \(reservation.id)", logger: logger)
        }
    }

    public func recordLoginFailure(_ entry: AuditEntry, reservation: AttemptReservation, at time: Timestamp)
        async throws
    {
        try await auditedTransaction { [self] connection, audit in
            // The pending slot becomes a failure. A success of the same username and address
            // may have cleared it meanwhile; the failure still counts.
            let converted = try await connection.query(
                "UPDATE login_failures SET pending = false WHERE id = \(reservation.id) RETURNING id", logger: logger
            ).collect().count
            if converted == 0 {
                try await connection.run(
                    """
                    INSERT INTO login_failures (username, address, time)
                    VALUES (\(entry.username), \(IPAddress.group(entry.context.address)), \(time.microseconds))
                    """, logger: logger)
            }
            audit.append(entry, at: time)
        }
    }

    public func throttleEntries(policy: ThrottlePolicy, at time: Timestamp) async throws -> [ThrottleEntry] {
        let since = (time - policy.window).microseconds
        return try await read { connection in
            try await connection.query(
                """
                SELECT username, address, count(*), min(time), max(time) FROM login_failures
                WHERE time > \(since) GROUP BY username, address ORDER BY max(time) DESC
                """, logger: logger
            ).collect().map(PostgresRowReader.init).map {
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
        return try await auditedTransaction { [self] connection, audit in
            let count = try await connection.query(
                """
                DELETE FROM login_failures
                WHERE (\(username)::text IS NULL OR username = \(username)) AND (\(address)::text IS NULL OR address = \(address))
                RETURNING id
                """, logger: logger
            ).collect().count
            audit.append(.success(.throttleClear, username: username ?? "", context: context), at: time)
            return count
        }
    }

    @discardableResult
    public func deleteExpiredFailures(policy: ThrottlePolicy, at time: Timestamp) async throws -> Int {
        let before = (time - policy.window).microseconds
        return try await sweep { connection in
            try await connection.query(
                """
                DELETE FROM login_failures WHERE id IN (
                    SELECT id FROM login_failures WHERE time <= \(before)
                    LIMIT \(Self.sweepBatch) FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, logger: logger
            ).collect().count
        }
    }
}
