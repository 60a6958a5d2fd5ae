import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// On PostgreSQL a prune counts the rows to go before it locks the chain's head; what is
/// committed between that count and the lock must still be counted, and a count that
/// another prune made stale must not be used.
@Suite(.enabled(if: TestPostgres.isConfigured || TestPostgres.isRequired))
struct PostgresPruneCountTests {
    private let base = Timestamp(seconds: 1_800_000_000)

    /// Audit rows one second apart from `base` + `first` seconds.
    private func seed(_ store: PostgresAuthStore, _ count: Int, from first: Int = 0) async throws {
        for index in first..<(first + count) {
            try await store.recordAudit(
                .failure(.login, .badPassword, username: "u\(index)", context: Fixture.context),
                at: base + .seconds(Int64(index)))
        }
    }

    private func withPostgresStore(_ body: (PostgresAuthStore) async throws -> Void) async throws {
        try await TestPostgres.withSchema { url, schema in
            let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 4)
            try await closing(store) { try await body(store) }
        }
    }

    @Test func rowsCommittedAfterTheCountAreCountedUnderTheLock() async throws {
        try await withPostgresStore { store in
            try await seed(store, 10)
            let counted = try await store.countPrunableRows(before: base + .seconds(20))
            #expect(counted.rows == 10 && counted.newest == 10)
            try await seed(store, 5, from: 10)
            let result = try await store.pruneAudit(
                before: base + .seconds(20), batchSize: 4, at: base + .seconds(100), context: .commandLine,
                counted: counted)
            #expect(result.range == AuditPruneRange(first: 1, last: 15, rows: 15))
            #expect(result.deleted == 15)
            #expect(try await store.verifyAuditChain().isIntact)
        }
    }

    @Test func aCountFromBeforeAnotherPruneIsNotUsed() async throws {
        try await withPostgresStore { store in
            try await seed(store, 10)
            let stale = try await store.countPrunableRows(before: base + .seconds(20))
            // Another prune removes rows 1…5 and records itself as row 11.
            let other = try await store.pruneAudit(
                before: base + .seconds(5), at: base + .seconds(10), context: .commandLine)
            #expect(other.range == AuditPruneRange(first: 1, last: 5, rows: 5))
            let result = try await store.pruneAudit(
                before: base + .seconds(20), batchSize: 4, at: base + .seconds(100), context: .commandLine,
                counted: stale)
            #expect(result.range == AuditPruneRange(first: 6, last: 11, rows: 6))
            #expect(result.deleted == 6)
            #expect(try await store.verifyAuditChain().isIntact)
        }
    }
}
