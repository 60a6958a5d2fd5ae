import PostgresNIO
import Testing

@testable import AuthStorePostgres

extension TestPostgres {
    /// Makes work queue behind a lock, as it would behind another replica's transaction.
    ///
    /// A connection of its own takes the lock (`lock`, in a transaction). `first` then runs
    /// and waits for that lock; once it does, `others` start, and once `queued()` holds (they
    /// have queued behind `first` inside the store), the lock is released. When anything
    /// fails before that, the transaction is rolled back instead, so that the waiting work
    /// can finish. Returns the results of `first` and `others`, in the order they finished.
    static func queueBehindLock<T: Sendable>(
        url: PostgresURL, schema: String, lock: String,
        first: @escaping @Sendable () async throws -> T, then others: [@Sendable () async throws -> T],
        queued: () -> Bool
    ) async throws -> [T] {
        let logger = PostgresAuthStore.quietLogger
        return try await withClient(url, schema: schema) { client in
            try await client.withConnection { holder in
                try await holder.query("BEGIN", logger: logger)
                try await holder.query(PostgresQuery(unsafeSQL: lock), logger: logger)
                let holderPID = try await holder.query("SELECT pg_backend_pid()", logger: logger)
                    .collect().first!.decode(Int32.self)
                return try await withThrowingTaskGroup(of: T.self) { group in
                    group.addTask(operation: first)
                    do {
                        try await waitUntil { try await backendsBlocked(by: holderPID, client: client) == 1 }
                        for other in others { group.addTask(operation: other) }
                        try await waitUntil(queued)
                        try await holder.query("COMMIT", logger: logger)
                    } catch {
                        _ = try? await holder.query("ROLLBACK", logger: logger)
                        throw error
                    }
                    var results: [T] = []
                    for try await result in group { results.append(result) }
                    return results
                }
            }
        }
    }

    /// How many backends wait for a lock that backend `pid` holds.
    private static func backendsBlocked(by pid: Int32, client: PostgresClient) async throws -> Int {
        try await client.query(
            "SELECT count(*)::int FROM pg_stat_activity WHERE \(pid) = ANY(pg_blocking_pids(pid))"
        ).collect().first!.decode(Int.self)
    }
}
