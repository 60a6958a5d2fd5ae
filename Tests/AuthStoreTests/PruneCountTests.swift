import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// A prune counts the rows to go before its record's transaction, so that the count does
/// not hold the writer (SQLite) or the chain's head (PostgreSQL). What is committed between
/// that count and the transaction must still be counted, and a count that another prune
/// made stale must not be used.
@Suite struct PruneCountTests {
    private let base = Timestamp(seconds: 1_800_000_000)

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

    /// Rows 1…10 are counted; rows 11…15 (at 10…14 s) are committed after the count. With
    /// the cutoff at 20 s all of them go; at 12 s, rows 11 and 12 go and 13…15 stay.
    @Test(arguments: Engine.all, [20, 12])
    func rowsCommittedAfterTheCountGoUpToTheCutoff(engine: Engine, cutoff: Int) async throws {
        try await withStore(engine) { store, _ in
            try await seedAuditRows(store, 10, base: base)
            let prune = try await countNow(store, before: base + .seconds(Int64(cutoff)))
            try await seedAuditRows(store, 5, from: 10, base: base)
            let result = try await prune(base + .seconds(100))
            let last = min(cutoff, 15)
            #expect(result.range == AuditPruneRange(first: 1, last: Int64(last), rows: last))
            #expect(result.deleted == last)
            #expect(try await store.verifyAuditChain().isIntact)
        }
    }

    @Test(arguments: Engine.all) func aCountFromBeforeAnotherPruneIsNotUsed(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await seedAuditRows(store, 10, base: base)
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
