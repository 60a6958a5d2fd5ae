import Foundation
import Testing

@testable import AuthStore

/// `SQLiteAuthStore.open(path:mode:)`: read-only stores have no writer and create nothing;
/// read-write stores create a missing file only when asked to.
@Suite struct OpenModeTests {
    @Test func aMissingFileIsAnErrorUnlessCreating() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("typo.db")
            for mode in [SQLiteAuthStore.OpenMode.readOnly, .readWrite(create: false)] {
                #expect(
                    await storeErrorCode { _ = try SQLiteAuthStore.open(path: path, mode: mode) } == .missingDatabase)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
            let created = try SQLiteAuthStore.open(path: path, mode: .readWrite(create: true))
            await created.close()
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aReadOnlyStoreReadsAndRefusesWrites() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("auth.db")
            let writer = try SQLiteAuthStore.open(path: path)
            try await writer.addUser(
                name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)

            // While the read-write store is open (WAL in use), and after it closed.
            for round in 0..<2 {
                if round == 1 { await writer.close() }
                let reader = try SQLiteAuthStore.open(path: path, mode: .readOnly)
                #expect(try await reader.users().map(\.name) == ["alice"])
                #expect(try await reader.migrationStatus().allSatisfy { $0.isApplied })
                #expect(
                    await storeErrorCode {
                        try await reader.addUser(
                            name: "bob", passwordHash: Fixture.hashB, at: Fixture.t0, context: .commandLine)
                    } == .readOnly)
                #expect(await storeErrorCode { _ = try await reader.migrate() } == .readOnly)
                await reader.close()
            }
        }
    }

    @Test func aReadOnlyStoreReportsPendingMigrationsWithoutApplyingThem() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("auth.db")
            do {
                let connection = try SQLiteConnection(path: path)
                defer { connection.close() }
                try Migrator(migrations: Array(EmbeddedMigrations.all.prefix(1))).migrate(connection)
            }
            let reader = try SQLiteAuthStore.open(path: path, mode: .readOnly)
            let status = try await reader.migrationStatus()
            await reader.close()
            #expect(
                status.map(\.isApplied) == [true] + Array(repeating: false, count: EmbeddedMigrations.all.count - 1))

            let store = try SQLiteAuthStore.open(path: path, mode: .readWrite(create: false), migrate: false)
            let applied = try await store.migrate()
            #expect(applied.map(\.version) == EmbeddedMigrations.all.dropFirst().map(\.version))
            #expect(try await store.migrate().isEmpty)
            await store.close()
        }
    }
}
