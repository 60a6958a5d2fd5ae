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

    private struct Applied {
        let version: Int
        let name: String
        let checksum: String
        let appliedAt: Timestamp
    }

    /// Brings the database up to date. Returns the migrations it applied.
    @discardableResult
    func migrate(_ connection: SQLiteConnection, now: () -> Timestamp = Timestamp.now) throws -> [Migration] {
        try createTable(connection)
        let applied = try check(connection)
        let pending = migrations.filter { applied[$0.version] == nil }
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
        let applied = hasTable ? try check(connection) : [:]
        return migrations.map {
            MigrationStatus(version: $0.version, name: $0.name, appliedAt: applied[$0.version]?.appliedAt)
        }
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

    private func check(_ connection: SQLiteConnection) throws -> [Int: Applied] {
        let rows = try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations") {
            Applied(
                version: $0.int(0), name: $0.string(1), checksum: $0.string(2),
                appliedAt: Timestamp(microseconds: $0.int64(3)))
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        var applied: [Int: Applied] = [:]
        for row in rows.sorted(by: { $0.version < $1.version }) {
            guard let migration = known[row.version] else {
                throw StoreError(
                    .newerDatabase,
                    "database has migration \(row.name), which this authd does not know: it was written by a newer version"
                )
            }
            guard migration.checksum == row.checksum else {
                throw StoreError(
                    .migrationChanged,
                    "migration \(migration.name) differs from the one applied to this database (checksum mismatch)")
            }
            applied[row.version] = row
        }
        return applied
    }
}
