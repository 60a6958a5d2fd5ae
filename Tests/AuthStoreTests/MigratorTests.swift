import Foundation
import Testing

@testable import AuthStore

/// One row of `schema_migrations`.
private struct AppliedRow: Equatable {
    let version: Int
    let name: String
    let checksum: String
    let appliedAt: Int64
}

private func appliedRows(_ connection: SQLiteConnection) throws -> [AppliedRow] {
    try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version") {
        AppliedRow(version: $0.int(0), name: $0.string(1), checksum: $0.string(2), appliedAt: $0.int64(3))
    }
}

private func tableExists(_ name: String, _ connection: SQLiteConnection) throws -> Bool {
    try connection.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", name) == 1
}

/// The package's `migrations/*.sql` files as they are on disk: name and SHA-256 of the bytes.
private func migrationFilesOnDisk() throws -> [(name: String, checksum: String)] {
    let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations")
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { $0.hasSuffix(".sql") }.sorted()
    return try names.map { name in
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
        return (name, SHA256.hex(bytes))
    }
}

private func testMigration(_ version: Int, _ sql: String) throws -> Migration {
    try #require(Migration(fileName: String(format: "%04d_test_%d.sql", version, version), sql: sql))
}

@Suite struct MigratorTests {
    @Test func freshDatabaseGetsEveryMigrationWithItsRow() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }

            let applied = try Migrator().migrate(connection, now: { Fixture.t0 })

            let files = try migrationFilesOnDisk()
            #expect(!files.isEmpty)
            #expect(applied.map(\.name) == files.map(\.name))
            let rows = try appliedRows(connection)
            #expect(rows.map(\.name) == files.map(\.name))
            // The checksum is over the file's exact bytes: the embedding must not alter them.
            #expect(rows.map(\.checksum) == files.map(\.checksum))
            #expect(rows.map(\.version) == files.map { Int($0.name.prefix(4))! })
            #expect(rows.allSatisfy { $0.appliedAt == Fixture.t0.microseconds })
            #expect(rows.allSatisfy { $0.checksum.count == 64 })
            for table in ["users", "sessions", "audit_log", "audit_anchor"] {
                #expect(try tableExists(table, connection), "table \(table)")
            }
        }
    }

    @Test func migratingAgainIsANoOp() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            try Migrator().migrate(connection, now: { Fixture.t0 })
            let before = try appliedRows(connection)

            let again = try Migrator().migrate(connection, now: { Fixture.t0 + .seconds(3600) })

            #expect(again.isEmpty)
            #expect(try appliedRows(connection) == before)
        }
    }

    @Test func reopeningTheStoreKeepsTheRecordedMigrations() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("auth.db")
            let first = try SQLiteAuthStore.open(path: path)
            let status = try await first.migrationStatus()
            await first.close()
            let rows = try {
                let connection = try SQLiteConnection(path: path)
                defer { connection.close() }
                return try appliedRows(connection)
            }()

            let second = try SQLiteAuthStore.open(path: path)
            #expect(try await second.migrationStatus() == status)
            await second.close()

            let connection = try SQLiteConnection(path: path)
            defer { connection.close() }
            #expect(try appliedRows(connection) == rows)
            #expect(status.count == EmbeddedMigrations.all.count)
            #expect(status.allSatisfy { $0.isApplied })
        }
    }

    @Test func unknownAppliedMigrationIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("auth.db")
            do {
                let connection = try SQLiteConnection(path: path)
                defer { connection.close() }
                try Migrator().migrate(connection)
                try connection.run(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, '9999_future.sql', 'x', 1)"
                )

                #expect(await storeErrorCode { try Migrator().migrate(connection) } == .newerDatabase)
                #expect(await storeErrorCode { _ = try Migrator().status(connection) } == .newerDatabase)
            }
            #expect(await storeErrorCode { _ = try SQLiteAuthStore.open(path: path) } == .newerDatabase)
            #expect(await storeErrorCode { _ = try SQLiteAuthStore.open(path: path, migrate: false) } == .newerDatabase)
        }
    }

    @Test func changedMigrationIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            try Migrator().migrate(connection)
            let edited = try EmbeddedMigrations.all.map { migration in
                try #require(Migration(fileName: migration.name, sql: migration.sql + "\n-- edited\n"))
            }

            #expect(await storeErrorCode { try Migrator(migrations: edited).migrate(connection) } == .migrationChanged)
            #expect(
                await storeErrorCode { _ = try Migrator(migrations: edited).status(connection) } == .migrationChanged)
            // The unedited migrations are still accepted.
            #expect(try Migrator().migrate(connection).isEmpty)
        }
    }

    @Test func changedChecksumOnDiskIsRefusedAtOpen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("auth.db")
            await SQLiteAuthStore.openAndClose(path)
            do {
                let connection = try SQLiteConnection(path: path)
                defer { connection.close() }
                try connection.run(
                    "UPDATE schema_migrations SET checksum = ? WHERE version = 1", String(repeating: "0", count: 64))
            }
            #expect(await storeErrorCode { _ = try SQLiteAuthStore.open(path: path) } == .migrationChanged)
        }
    }

    @Test func statusListsAppliedAndPending() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            try Migrator().migrate(connection, now: { Fixture.t0 })
            let extra = try testMigration(9000, "CREATE TABLE extra (x INTEGER) STRICT;")
            let newer = Migrator(migrations: EmbeddedMigrations.all + [extra])

            let status = try newer.status(connection)

            let expected =
                EmbeddedMigrations.all.map {
                    MigrationStatus(version: $0.version, name: $0.name, appliedAt: Fixture.t0)
                } + [MigrationStatus(version: 9000, name: "9000_test_9000.sql", appliedAt: nil)]
            #expect(status == expected)
            #expect(status.last?.isApplied == false)
            // Reporting does not apply anything.
            #expect(try !tableExists("extra", connection))

            let later = Fixture.t0 + .seconds(60)
            #expect(try newer.migrate(connection, now: { later }) == [extra])
            #expect(try tableExists("extra", connection))
            #expect(
                try newer.status(connection).last == MigrationStatus(version: 9000, name: extra.name, appliedAt: later))
        }
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            try Migrator().migrate(connection)
            let before = try appliedRows(connection)
            // The first statement succeeds, the second fails: the first must be undone.
            let broken = try testMigration(9001, "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);")
            let after = try testMigration(9002, "CREATE TABLE after_broken (x INTEGER);")

            #expect(throws: SQLiteError.self) {
                try Migrator(migrations: EmbeddedMigrations.all + [broken, after]).migrate(connection)
            }

            #expect(try !tableExists("half", connection))
            #expect(try !tableExists("after_broken", connection))
            #expect(try appliedRows(connection) == before)
            // No transaction is left open: the connection still writes in autocommit mode.
            try connection.execute("CREATE TABLE probe (x INTEGER); DROP TABLE probe;")
            // Fixing the migration lets it apply.
            let fixed = try testMigration(9001, "CREATE TABLE half (x INTEGER);")
            #expect(try Migrator(migrations: EmbeddedMigrations.all + [fixed]).migrate(connection) == [fixed])
        }
    }
}

extension SQLiteAuthStore {
    /// Creates and migrates a database at `path`, then closes it.
    static func openAndClose(_ path: String) async {
        guard let store = try? open(path: path) else {
            Issue.record("could not open \(path)")
            return
        }
        await store.close()
    }
}
