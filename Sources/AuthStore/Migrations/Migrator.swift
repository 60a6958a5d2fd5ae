/// Applies the embedded migrations in order, each in its own IMMEDIATE transaction together
/// with its row in `schema_migrations`.
///
/// Foreign keys are off while migrations run, and each migration must leave none dangling
/// (`PRAGMA foreign_key_check`) before it commits, as GRDB's migrator does. SQLite changes
/// a table's definition by rebuilding it (create new, copy, drop old, rename); with foreign
/// keys on, dropping the old `users` would cascade-delete every session. The pragma is a
/// no-op inside a transaction, so it is switched off before BEGIN and on again after COMMIT.
///
/// Unlike most migrators it refuses two situations instead of guessing: a database that has
/// a migration this binary does not know (it was written by a newer authd, and an older one
/// could corrupt it), and an applied migration whose text changed since (the schema on disk
/// is not the one the code expects).
struct Migrator {
    let migrations: [Migration]

    init(migrations: [Migration] = EmbeddedMigrations.all) {
        self.migrations = migrations
    }

    /// Brings the database up to date. Returns the migrations it applied.
    @discardableResult
    func migrate(_ connection: SQLiteConnection, now: () -> Timestamp = Timestamp.now) throws -> [Migration] {
        try createTable(connection)
        let pending = try ledger(connection).pending
        guard !pending.isEmpty else { return [] }
        try connection.execute("PRAGMA foreign_keys = OFF")
        do {
            for migration in pending {
                try connection.transaction {
                    try connection.execute(migration.sql)
                    try checkForeignKeys(after: migration, connection)
                    try connection.run(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                        migration.version, migration.name, migration.checksum, now().microseconds)
                }
            }
        } catch {
            try? connection.execute("PRAGMA foreign_keys = ON")
            throw error
        }
        // The connection goes on to serve the application, which relies on cascades.
        try connection.execute("PRAGMA foreign_keys = ON")
        return pending
    }

    /// Refuses a migration that leaves rows referring to rows that do not exist; the caller's
    /// transaction then rolls it back.
    private func checkForeignKeys(after migration: Migration, _ connection: SQLiteConnection) throws {
        let violations = try connection.query("PRAGMA foreign_key_check") { row in
            (table: row.string(0), parent: row.string(2))
        }
        guard let first = violations.first else { return }
        throw StoreError(
            .migrationFailed,
            "migration \(migration.name) leaves \(violations.count) row(s) of \(first.table) referring to missing rows of \(first.parent); not applied"
        )
    }

    /// Applied and pending migrations, in version order, after the same checks as `migrate`.
    /// Writes nothing, so it works on a read-only connection: a database without the
    /// bookkeeping table has every migration pending.
    func status(_ connection: SQLiteConnection) throws -> [MigrationStatus] {
        let hasTable =
            try connection.scalarInt(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'") > 0
        return try hasTable ? ledger(connection).status : MigrationLedger(migrations: migrations, entries: []).status
    }

    private func createTable(_ connection: SQLiteConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT    NOT NULL,
                checksum   TEXT    NOT NULL,
                applied_at INTEGER NOT NULL
            ) STRICT
            """)
    }

    private func ledger(_ connection: SQLiteConnection) throws -> MigrationLedger {
        let entries = try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations") {
            MigrationLedger.Entry(
                version: $0.int(0), name: $0.string(1), checksum: $0.string(2),
                appliedAt: Timestamp(microseconds: $0.int64(3)))
        }
        return try MigrationLedger(migrations: migrations, entries: entries)
    }
}
