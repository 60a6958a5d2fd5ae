import Foundation
import Testing

@testable import AuthStore

@Suite("authd migrate up")
struct MigrateUpTests {
    @Test("creates a missing database, applies every migration and says which; a second run applies none")
    func createsAndApplies() async throws {
        try await Sandbox.with { sandbox in
            let first = try await sandbox.authd("migrate", "up")
            let applied = EmbeddedMigrations.all.map { "applied \($0.version) \($0.name)\n" }.joined()
            expectSuccess(first, stdout: applied + "database \(sandbox.db) is up to date\n")
            #expect(try sandbox.mode(sandbox.db) == 0o600)

            expectSuccess(try await sandbox.authd("migrate", "up"), stdout: "database \(sandbox.db) is up to date\n")
            let status = try await sandbox.withStore { try await $0.migrationStatus() }
            #expect(status.count == EmbeddedMigrations.all.count && status.allSatisfy { $0.isApplied })
            // Now the read-only commands work on it.
            expectSuccess(
                try await sandbox.authd("user", "list", "--format", "csv"),
                stdout: "username,status,created_at,updated_at,scheme\n")
        }
    }

    @Test("on an older database applies only the pending migrations")
    func appliesPending() async throws {
        try await Sandbox.with { sandbox in
            try ReadOnlyCommandTests.makeOlderDatabase(sandbox)
            let pending = EmbeddedMigrations.all.dropFirst().map { "applied \($0.version) \($0.name)\n" }.joined()
            expectSuccess(
                try await sandbox.authd("migrate", "up"), stdout: pending + "database \(sandbox.db) is up to date\n")
        }
    }

    @Test("refuses a database newer than the binary, with one line")
    func refusesNewer() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try sandbox.sql(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, '9999_future.sql', 'abc', 0)"
            )
            expectFailure(
                try await sandbox.authd("migrate", "up"),
                "database has migration 9999_future.sql, which this authd does not know")
        }
    }
}
