import AuthStore
import Logging
import PostgresNIO

/// Applies the embedded `migrations/postgres/*.sql` under a cluster-wide lock.
///
/// All pending migrations go in one transaction that first takes a transaction-level
/// advisory lock, so replicas starting together migrate once: the others wait, then find
/// nothing pending. The same ledger checks as on SQLite (``MigrationLedger``) refuse a
/// database written by a newer authd and an applied migration whose text changed.
///
/// Each file runs as the body of a PL/pgSQL `DO` block: the extended query protocol that
/// postgres-nio speaks takes one statement per query, and a block holds several.
struct PostgresMigrator {
    let migrations: [Migration]

    init(migrations: [Migration] = PostgresMigrationFiles.files.compactMap {
        Migration(fileName: $0.name, sql: $0.sql)
    }.sorted { $0.version < $1.version }) {
        self.migrations = migrations
    }

    /// Brings the schema up to date; returns what it applied.
    @discardableResult
    func migrate(_ client: PostgresClient, logger: Logger, now: Timestamp = .now()) async throws -> [MigrationStatus] {
        try await client.withConnection { connection in
            try await connection.run("BEGIN", logger: logger)
            do {
                // Replicas wait for each other here for as long as a migration takes, not for
                // the connection's short lock_timeout. The lock is per schema: authd in one
                // schema does not wait for authd in another.
                try await connection.run("SET LOCAL lock_timeout = '300s'", logger: logger)
                try await connection.run(
                    "SELECT pg_advisory_xact_lock(hashtext('authd.migrate'), hashtext(current_schema()))",
                    logger: logger)
                try await connection.run(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    INTEGER PRIMARY KEY,
                        name       TEXT    NOT NULL,
                        checksum   TEXT    NOT NULL,
                        applied_at BIGINT  NOT NULL
                    )
                    """, logger: logger)
                let pending = try await ledger(connection, logger: logger).pending
                for migration in pending {
                    guard !migration.sql.contains(Self.blockQuote) else {
                        throw StoreError(.migrationFailed, "migration \(migration.name) contains \(Self.blockQuote)")
                    }
                    try await connection.run(
                        PostgresQuery(
                            unsafeSQL: "DO \(Self.blockQuote) BEGIN\n\(migration.sql)\nEND \(Self.blockQuote)"),
                        logger: logger)
                    try await connection.run(
                        """
                        INSERT INTO schema_migrations (version, name, checksum, applied_at)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(now.microseconds))
                        """, logger: logger)
                }
                try await connection.run("COMMIT", logger: logger)
                return pending.map { MigrationStatus(version: $0.version, name: $0.name, appliedAt: now) }
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Applied and pending migrations, after the same checks as ``migrate(_:logger:now:)``;
    /// writes nothing. A database without the bookkeeping table has everything pending.
    func status(_ client: PostgresClient, logger: Logger) async throws -> [MigrationStatus] {
        try await client.withConnection { connection in
            let exists = try await connection.query(
                "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger
            ).collect()
            guard PostgresRowReader(exists[0]).bool(0) else {
                return try MigrationLedger(migrations: migrations, entries: []).status
            }
            return try await ledger(connection, logger: logger).status
        }
    }

    private static let blockQuote = "$authd_migration$"

    private func ledger(_ connection: PostgresConnection, logger: Logger) async throws -> MigrationLedger {
        let rows = try await connection.query(
            "SELECT version::bigint, name, checksum, applied_at FROM schema_migrations", logger: logger
        ).collect()
        let entries = rows.map(PostgresRowReader.init).map {
            MigrationLedger.Entry(
                version: $0.int(0), name: $0.string(1), checksum: $0.string(2),
                appliedAt: Timestamp(microseconds: $0.int64(3)))
        }
        return try MigrationLedger(migrations: migrations, entries: entries)
    }
}
