import Testing

@testable import AuthStore

/// Migrations run with foreign keys off and are checked with `PRAGMA foreign_key_check`
/// before they commit, so a table rebuild cannot cascade-delete rows and a migration that
/// leaves a dangling reference is rolled back.
@Suite struct MigrationForeignKeyTests {
    private func migration(_ version: Int, _ sql: String) throws -> Migration {
        try #require(Migration(fileName: "\(version)_test_\(version).sql", sql: sql))
    }

    /// SQLite's way to change a column: create the new table, copy, drop the old, rename.
    /// Same columns here; what matters is the DROP of a table that sessions refer to.
    private let rebuildUsers = """
        CREATE TABLE users_new (
            id            INTEGER PRIMARY KEY,
            username      TEXT    NOT NULL UNIQUE,
            password_hash TEXT    NOT NULL,
            disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            created_at    INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL
        ) STRICT;
        INSERT INTO users_new SELECT id, username, password_hash, disabled, created_at, updated_at FROM users;
        DROP TABLE users;
        ALTER TABLE users_new RENAME TO users;
        """

    /// A database with two users, three sessions, and the embedded migrations applied.
    private func populated(_ directory: TemporaryDirectory) async throws -> [Session] {
        let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
        let alice = try await store.addUser(
            name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
        let bob = try await store.addUser(
            name: "bob", passwordHash: Fixture.hashB, at: Fixture.t0, context: Fixture.context)
        try await store.openSession(alice, token: "a1", at: Fixture.t0)
        try await store.openSession(alice, token: "a2", at: Fixture.t0)
        try await store.openSession(bob, token: "b1", at: Fixture.t0)
        let sessions = try await store.sessions(username: nil)
        await store.close()
        return sessions
    }

    @Test func rebuildingUsersKeepsTheirSessions() async throws {
        try await withTemporaryDirectory { directory in
            let before = try await populated(directory)
            #expect(before.count == 3)
            let rebuild = try migration(9100, rebuildUsers)

            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            #expect(try Migrator(migrations: EmbeddedMigrations.all + [rebuild]).migrate(connection) == [rebuild])
            // Every session is still there and still tied to its user.
            let joined = try connection.query(
                "SELECT s.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id ORDER BY s.id"
            ) { "\($0.string(0)) \($0.string(1))" }
            #expect(joined == before.sorted { $0.id < $1.id }.map { "\($0.id) \($0.username)" })
            // Foreign keys are on again for whoever uses the connection next: deleting bob
            // cascades to his session through the rebuilt table.
            #expect(try connection.scalarInt("PRAGMA foreign_keys") == 1)
            try connection.run("DELETE FROM users WHERE username = 'bob'")
            #expect(try connection.scalarInt("SELECT count(*) FROM sessions") == 2)
        }
    }

    @Test func migrationLeavingADanglingReferenceIsRolledBack() async throws {
        try await withTemporaryDirectory { directory in
            let before = try await populated(directory)
            let orphaning = try migration(9101, "DELETE FROM users WHERE username = 'bob';")

            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            var message = ""
            do {
                try Migrator(migrations: EmbeddedMigrations.all + [orphaning]).migrate(connection)
                Issue.record("a migration leaving a session without its user must fail")
            } catch let error as StoreError {
                #expect(error.code == .migrationFailed)
                message = error.description
            }
            #expect(message.contains("9101_test_9101.sql"), "\(message)")
            #expect(message.contains("sessions") && message.contains("users"), "\(message)")
            // Rolled back: bob, his session and no record of the migration.
            #expect(try connection.scalarInt("SELECT count(*) FROM users WHERE username = 'bob'") == 1)
            #expect(try connection.scalarInt("SELECT count(*) FROM sessions") == Int64(before.count))
            #expect(try connection.scalarInt("SELECT count(*) FROM schema_migrations WHERE version = 9101") == 0)
            #expect(try connection.scalarInt("PRAGMA foreign_keys") == 1)
        }
    }
}
