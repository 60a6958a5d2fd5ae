import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// A prune counts the rows to go before its record's transaction, so that the count does
/// not hold the writer (SQLite) or the chain's head (PostgreSQL). What is committed between
/// that count and the transaction must still be counted, and a count that another prune
/// made stale must not be used.
@Suite struct PruneCountTests {
    private let base = Timestamp(seconds: 1_800_000_000)

    /// Audit rows one second apart from `base` + `first` seconds.
    private func seed(_ store: any AuthStorage, _ count: Int, from first: Int = 0) async throws {
        for index in first..<(first + count) {
            try await store.recordAudit(
                .failure(.login, .badPassword, username: "u\(index)", context: Fixture.context),
                at: base + .seconds(Int64(index)))
        }
    }

    /// Counts now the rows a prune before `before` removes; returns that prune, to be run
    /// later with this count.
    private func countNow(_ store: any AuthStorage, before: Timestamp) async throws
        -> @Sendable (_ at: Timestamp) async throws -> AuditPruneResult
    {
        switch store {
        case let sqlite as SQLiteAuthStore:
            let counted = try await sqlite.read { try SQLiteAuthStore.countPrunableRows(before: before, on: $0) }
            return { time in
                try await sqlite.pruneAudit(before: before, batchSize: 4, at: time, context: .commandLine, counted: counted)
            }
        case let postgres as PostgresAuthStore:
            let counted = try await postgres.countPrunableRows(before: before)
            return { time in
                try await postgres.pruneAudit(
                    before: before, batchSize: 4, at: time, context: .commandLine, counted: counted)
            }
        default:
            Issue.record("no counting prune for \(type(of: store))")
            throw CancellationError()
        }
    }

    @Test(arguments: Engine.all) func rowsCommittedAfterTheCountAreCounted(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await seed(store, 10)
            let prune = try await countNow(store, before: base + .seconds(20))
            try await seed(store, 5, from: 10)
            let result = try await prune(base + .seconds(100))
            #expect(result.range == AuditPruneRange(first: 1, last: 15, rows: 15))
            #expect(result.deleted == 15)
            #expect(try await store.verifyAuditChain().isIntact)
        }
    }

    @Test(arguments: Engine.all) func rowsAtOrAfterTheCutoffCommittedAfterTheCountStay(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await seed(store, 10)
            let prune = try await countNow(store, before: base + .seconds(12))
            try await seed(store, 5, from: 10)
            let result = try await prune(base + .seconds(100))
            #expect(result.range == AuditPruneRange(first: 1, last: 12, rows: 12))
            #expect(result.deleted == 12)
            #expect(try await store.verifyAuditChain().isIntact)
        }
    }

    @Test(arguments: Engine.all) func aCountFromBeforeAnotherPruneIsNotUsed(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await seed(store, 10)
            let prune = try await countNow(store, before: base + .seconds(20))
            // Another prune removes rows 1…5 and records itself as row 11.
            let other = try await store.pruneAudit(
                before: base + .seconds(5), batchSize: 10_000, at: base + .seconds(10), context: .commandLine)
            #expect(other.range == AuditPruneRange(first: 1, last: 5, rows: 5))
            let result = try await prune(base + .seconds(100))
            #expect(result.range == AuditPruneRange(first: 6, last: 11, rows: 6))
            #expect(result.deleted == 6)
            #expect(try await store.verifyAuditChain().isIntact)
        }
    }
}
