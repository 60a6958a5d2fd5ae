import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a statement for its effect and reads its whole result.
    ///
    /// `query` returns once the result starts; an error the server reports after that (a
    /// lock timeout while a `SELECT pg_advisory_xact_lock(…)` runs, say) arrives with the
    /// rows. A result nobody reads would lose it, and the next statement would fail with
    /// "current transaction is aborted" — or, for `COMMIT`, quietly roll back. So every
    /// statement whose rows are not wanted goes through here.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}
