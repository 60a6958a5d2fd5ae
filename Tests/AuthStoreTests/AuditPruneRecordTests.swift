import Testing

@testable import AuthStore

/// `audit prune` records the range it removes before deleting it, and `audit verify` uses
/// those records to tell an honest prune from the oldest rows removed by hand.
@Suite struct AuditPruneRecordTests {
    private let base = Timestamp(seconds: 1_800_000_000)

    /// Deletes rows 1…`last` and stores row `last`'s hash as the anchor, as someone with
    /// write access to the file would: the remaining chain still hashes correctly.
    private func truncate(_ store: any AuthStorage, through last: Int64) async throws {
        try await store.tamper(
            """
            INSERT INTO audit_anchor (id, last_id, hash) SELECT 1, id, hash FROM audit_log WHERE id = \(last)
                ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash;
            DELETE FROM audit_log WHERE id <= \(last);
            """)
    }

    @Test(arguments: Engine.all) func thePruneRowRecordsItsRange(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await seedAuditRows(store, 10, base: base)
            let result = try await store.pruneAudit(
                before: base + .seconds(6), batchSize: 4, at: base + .seconds(100), context: .commandLine)
            #expect(result.deleted == 6)
            #expect(result.range == AuditPruneRange(first: 1, last: 6, rows: 6))
            let prune = try #require(try await store.recentAudit(limit: 1).first)
            #expect(prune.id == 11 && prune.entry.event == .auditPrune)
            #expect(prune.entry.detail == "from=1 through=6 rows=6 before=2027-01-15T08:00:06.000000Z")
            #expect(AuditPruneRange(detail: prune.entry.detail) == result.range)
            let verification = try await store.verifyAuditChain { _, _ in }
            #expect(verification.isIntact)
            #expect(verification.anchor?.id == 6)
            #expect(verification.head == AuditChainPoint(id: 11, hash: Hex.encode(prune.hash)))
            #expect(verification.anchorRecord == .recorded(pruneRow: 11, range: result.range!))
            #expect(!verification.isUnfinished)

            // Nothing left to remove: the record says so, starting where the anchor is.
            let empty = try await store.pruneAudit(
                before: base + .seconds(6), batchSize: 4, at: base + .seconds(101), context: .commandLine)
            #expect(empty.deleted == 0 && empty.range == AuditPruneRange(first: 7, last: 6, rows: 0))
            #expect(try await store.verifyAuditChain { _, _ in }.anchorRecord.isRecorded)
        }
    }

    /// A prune stopped after its record and its first batch (simulated: the record and one
    /// batch are written the way `pruneAudit` writes them) verifies, is reported unfinished,
    /// and the next prune records the rest and finishes.
    @Test(arguments: Engine.all) func anInterruptedPruneVerifiesAndTheNextOneFinishesIt(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await seedAuditRows(store, 10, base: base)
            let range = AuditPruneRange(first: 1, last: 8, rows: 8)
            try await store.recordAudit(
                AuditEntry(
                    event: .auditPrune, outcome: .success, context: .commandLine,
                    detail: range.detail(before: base + .seconds(8))),
                at: base + .seconds(50))
            try await truncate(store, through: 3)
            let interrupted = try await store.verifyAuditChain { _, _ in }
            #expect(interrupted.isIntact)
            #expect(interrupted.isUnfinished)
            #expect(interrupted.anchorRecord == .recorded(pruneRow: 11, range: range))

            let rest = try await store.pruneAudit(
                before: base + .seconds(8), batchSize: 2, at: base + .seconds(60), context: .commandLine)
            #expect(rest.deleted == 5 && rest.range == AuditPruneRange(first: 4, last: 8, rows: 5))
            let finished = try await store.verifyAuditChain { _, _ in }
            #expect(finished.isIntact && !finished.isUnfinished && finished.anchor?.id == 8)
        }
    }

    /// Rows 1…N deleted and the anchor set to row N's hash: the chain from there hashes
    /// correctly, but no recorded prune reaches row N.
    @Test(arguments: Engine.all) func aForgedTruncationIsDetected(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await seedAuditRows(store, 10, base: base)
            try await truncate(store, through: 4)
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.failure == .unrecordedPrune(anchor: 4))
            #expect(result.anchorRecord == .unrecorded)
        }
    }

    /// The same after an honest prune: the anchor moved past the range the prune recorded.
    @Test(arguments: Engine.all) func aTruncationPastAnHonestPruneIsDetected(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await seedAuditRows(store, 10, base: base)
            try await store.pruneAudit(
                before: base + .seconds(3), batchSize: 10, at: base + .seconds(20), context: .commandLine)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
            try await truncate(store, through: 6)
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .unrecordedPrune(anchor: 6))
            // And prune will not build a record on top of it.
            let code = await storeErrorCode {
                try await store.pruneAudit(
                    before: base + .seconds(9), batchSize: 10, at: base + .seconds(30), context: .commandLine)
            }
            #expect(code == .auditTruncated)
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .unrecordedPrune(anchor: 6))
        }
    }

    @Test(arguments: Engine.all) func expectedRowsAreFoundPrunedOrMissing(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await seedAuditRows(store, 10, base: base)
            let rows = try await store.allAudit()
            func point(_ id: Int64) -> AuditChainPoint {
                AuditChainPoint(id: id, hash: Hex.encode(rows[Int(id) - 1].hash))
            }
            // Two honest prunes: the second removes the first one's row (11).
            try await store.pruneAudit(
                before: base + .seconds(3), batchSize: 10, at: base + .seconds(20), context: .commandLine)
            try await seedAuditRows(store, 3, from: 21, base: base)  // rows 12–14
            try await store.pruneAudit(
                before: base + .seconds(21), batchSize: 10, at: base + .seconds(30), context: .commandLine)
            let wrong = AuditChainPoint(id: 12, hash: String(repeating: "0", count: 64))
            let result = try await store.verifyAuditChain(expecting: [point(2), point(7), point(10), wrong]) { _, _ in
            }
            #expect(result.isIntact && result.anchor?.id == 11)
            #expect(
                result.expectations.map(\.outcome) == [
                    .pruned(recordedAt: 15), .pruned(recordedAt: 15), .pruned(recordedAt: 15),
                    .hashDiffers(found: Hex.encode(try #require(try await store.allAudit().first).hash)),
                ])
            let head = try #require(result.head)
            #expect(
                try await store.verifyAuditChain(expecting: [head]) { _, _ in }.expectations.map(\.outcome) == [
                    .present
                ])
            #expect(
                try await store.verifyAuditChain(expecting: [AuditChainPoint(id: 99, hash: head.hash)]) { _, _ in }
                    .expectations.map(\.outcome) == [.missing])

            // Then rows 12–13 removed by hand: row 12 is no longer explained.
            try await truncate(store, through: 13)
            let forged = try await store.verifyAuditChain(expecting: [point(2)]) { _, _ in }
            #expect(forged.failure == .unrecordedPrune(anchor: 13))
            #expect(forged.expectations.map(\.outcome) == [.missing])
        }
    }

    /// A log pruned by an authd before 0004 has an `audit_prune` row with no range: the
    /// anchor cannot be checked, so rows below it are only as good as an `--expect`, which
    /// fails for them (nothing records that a prune removed them).
    @Test(arguments: Engine.all) func aPruneWithoutARangeIsUnprovable(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await seedAuditRows(store, 6, base: base)
            let recorded = try #require(try await store.allAudit().first { $0.id == 2 })
            try await truncate(store, through: 3)
            try await store.recordAudit(
                .success(.auditPrune, username: "", context: .commandLine), at: base + .seconds(9))
            let result = try await store.verifyAuditChain(
                expecting: [AuditChainPoint(id: 2, hash: Hex.encode(recorded.hash))]
            ) { _, _ in }
            #expect(result.isIntact)
            #expect(result.anchorRecord == .unprovable(pruneRow: 7))
            #expect(result.expectations.map(\.outcome) == [.missing])
        }
    }
}

extension AuditVerification.AnchorRecord {
    var isRecorded: Bool {
        if case .recorded = self { return true }
        return false
    }
}
