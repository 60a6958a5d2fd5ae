import Foundation
import Testing

@testable import AuthStore

@Suite("authd migrate status, and migrations the binary refuses")
struct MigrateTests {
    /// The status table's rows, split into fields.
    private func rows(_ result: AuthdResult) -> [[String]] {
        result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    private func tables(_ sandbox: Sandbox) throws -> [String] {
        let connection = try SQLiteConnection(path: sandbox.db)
        defer { connection.close() }
        return try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") {
            $0.string(0)
        }
    }

    @Test("on an empty file every migration is pending, and status applies none of them")
    func emptyFile() async throws {
        try await Sandbox.with { sandbox in
            let names = EmbeddedMigrations.all.map(\.name)
            try #require(names.first == "0001_initial.sql")
            try #require(
                FileManager.default.createFile(
                    atPath: sandbox.db, contents: nil, attributes: [.posixPermissions: 0o600]))
            let expected =
                [["VERSION", "NAME", "STATUS", "APPLIED_AT"]]
                + EmbeddedMigrations.all.map { [String($0.version), $0.name, "pending"] }

            let first = try await sandbox.authd("migrate", "status")
            #expect(first.status == 0 && first.stderr.isEmpty, "\(first)")
            #expect(rows(first) == expected)
            let second = try await sandbox.authd("migrate", "status")
            #expect(rows(second) == expected)

            // Read-only: not even the bookkeeping table was created.
            #expect(try Data(contentsOf: URL(fileURLWithPath: sandbox.db)).isEmpty)
            #expect(try tables(sandbox) == [])
        }
    }

    @Test("after any other command every migration is applied, with its time")
    func appliedByOtherCommands() async throws {
        try await Sandbox.with { sandbox in
            let before = Timestamp.now()
            try await sandbox.addUser("alice")
            let after = Timestamp.now()

            let result = try await sandbox.authd("migrate", "status")
            #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
            let lines = rows(result)
            #expect(lines.count == EmbeddedMigrations.all.count + 1)
            for (line, migration) in zip(lines.dropFirst(), EmbeddedMigrations.all) {
                #expect(Array(line.prefix(3)) == [String(migration.version), migration.name, "applied"])
                #expect(line.count == 4)
            }
            // applied_at is the time the migration ran, in the store's ISO 8601 form.
            let appliedAt = try await sandbox.withStore { try await $0.migrationStatus() }.compactMap(\.appliedAt)
            #expect(appliedAt.count == EmbeddedMigrations.all.count)
            #expect(appliedAt.allSatisfy { before <= $0 && $0 <= after })
            #expect(lines.dropFirst().map { $0.last } == appliedAt.map(\.iso8601))
            #expect(try tables(sandbox).contains("users"))
        }
    }

    /// Every command that opens the database.
    static let commands: [(arguments: [String], stdin: String?)] = [
        (["user", "add", "carol", "--password-stdin"], "pw\n"),
        (["user", "passwd", "alice", "--password-stdin"], "pw\n"),
        (["user", "list"], nil),
        (["user", "list", "--format", "json"], nil),
        (["user", "disable", "alice"], nil),
        (["user", "enable", "alice"], nil),
        (["user", "delete", "alice"], nil),
        (["session", "list"], nil),
        (["session", "revoke", "--user", "alice"], nil),
        (["session", "revoke", "--id", "0123456789abcdef"], nil),
        (["migrate", "status"], nil),
        (["migrate", "up"], nil),
        (["backup", "copy.sqlite"], nil),
        (["audit"], nil),
        (["audit", "verify"], nil),
        (["throttle", "list"], nil),
    ]

    @Test("a database with a migration this binary does not know: every command fails with one line")
    func newerDatabase() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try sandbox.sql(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, '9999_future.sql', 'abc', 0)"
            )
            let before = try Data(contentsOf: URL(fileURLWithPath: sandbox.db))

            for command in Self.commands {
                let result = try await sandbox.authd(
                    arguments: command.arguments + ["--db", sandbox.db], stdin: command.stdin)
                expectFailure(result, "database has migration 9999_future.sql, which this authd does not know")
            }
            #expect(!sandbox.fileExists(sandbox.path("copy.sqlite")))
            #expect(try Data(contentsOf: URL(fileURLWithPath: sandbox.db)) == before)
            #expect(throws: StoreError.self) { try SQLiteAuthStore.open(path: sandbox.db) }
        }
    }

    @Test("an applied migration whose text changed: every command fails with one line")
    func editedMigration() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try sandbox.sql("UPDATE schema_migrations SET checksum = '0000' WHERE version = 1")

            for command in Self.commands {
                let result = try await sandbox.authd(
                    arguments: command.arguments + ["--db", sandbox.db], stdin: command.stdin)
                expectFailure(result, "migration 0001_initial.sql differs from the one applied to this database")
            }
            #expect(!sandbox.fileExists(sandbox.path("copy.sqlite")))
            // Nothing was written meanwhile: put the checksum back and everything is as it was.
            let checksum = try #require(EmbeddedMigrations.all.first?.checksum)
            try sandbox.sql("UPDATE schema_migrations SET checksum = '\(checksum)' WHERE version = 1")
            let state = try await sandbox.state()
            #expect(state.users.map(\.name) == ["alice"])
            #expect(state.audit.map(\.entry.event) == [.userAdd])
        }
    }
}
