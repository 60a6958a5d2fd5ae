import PostgresNIO
import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// The PostgreSQL migrator: one cluster-wide lock, the same ledger checks as SQLite's.
@Suite(.enabled(if: TestPostgres.isConfigured || TestPostgres.isRequired))
struct PostgresMigratorTests {
    @Test func replicasStartingTogetherMigrateOnce() async throws {
        try await TestPostgres.withSchema { url, schema in
            let stores = try await withThrowingTaskGroup(of: PostgresAuthStore.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 2) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let status = try await stores[0].migrationStatus()
            #expect(status.count == stores[0].knownSchemaVersion)
            #expect(status.allSatisfy { $0.isApplied })
            #expect(try await stores[0].ping() == stores[0].knownSchemaVersion)
            for store in stores { await store.close() }
        }
    }

    @Test func aDatabaseFromANewerAuthdIsRefused() async throws {
        try await TestPostgres.withSchema { url, schema in
            let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 1)
            await store.close()
            try await TestPostgres.execute(
                "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 0)", on: url, schema: schema)
            await #expect(throws: StoreError.self) {
                _ = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 1)
            }
            let code = await storeErrorCode { _ = try await PostgresAuthStore.open(url: url, schema: schema) }
            #expect(code == .newerDatabase)
        }
    }

    @Test func anEditedMigrationIsRefused() async throws {
        try await TestPostgres.withSchema { url, schema in
            let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 1)
            await store.close()
            try await TestPostgres.execute(
                "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2", on: url, schema: schema)
            let code = await storeErrorCode { _ = try await PostgresAuthStore.open(url: url, schema: schema) }
            #expect(code == .migrationChanged)
        }
    }

    @Test func aReadOnlyStoreMigratesNothingAndWritesNothing() async throws {
        try await TestPostgres.withSchema { url, schema in
            let reader = try await PostgresAuthStore.open(url: url, mode: .readOnly, schema: schema, maxConnections: 1)
            #expect(try await reader.migrationStatus().allSatisfy { !$0.isApplied })
            let code = await storeErrorCode {
                try await reader.addUser(name: "a", passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
            }
            #expect(code == .readOnly)
            await reader.close()
        }
    }

    @Test func backupNamesPgDump() async throws {
        try await TestPostgres.withSchema { url, schema in
            let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 1)
            do {
                try await store.backup(to: "/tmp/x")
                Issue.record("backup on PostgreSQL did not refuse")
            } catch let error as StoreError {
                #expect(error.description.contains("pg_dump"))
            }
            await store.close()
        }
    }

    @Test func anUnreachableServerIsAnErrorNamingItWithoutThePassword() async throws {
        let url = try PostgresURL("postgres://authd:hunter2@127.0.0.1:1/authd")
        do {
            _ = try await PostgresAuthStore.open(url: url, maxConnections: 1)
            Issue.record("opened a store on a closed port")
        } catch let error as StoreError {
            #expect(error.code == .database)
            #expect(error.description.contains("127.0.0.1:1"))
            #expect(!error.description.contains("hunter2"))
        }
    }
}
