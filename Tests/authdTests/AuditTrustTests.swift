import Foundation
import Testing

@testable import AuthStore

/// Trusting the audit log through the real binary: a prune killed between its batches,
/// and the oldest rows truncated by hand.
@Suite struct AuditTrustTests {
    static let base = Timestamp(seconds: 1_800_000_000)  // 2027-01-15T08:00:00Z

    /// `count` rows 1…count, one second apart from `base`, with a valid chain, written in one
    /// transaction straight into a database migrated by the store (fast enough for 20,000).
    func seedChain(_ sandbox: Sandbox, count: Int, base: Timestamp = base) async throws {
        try await sandbox.withStore { _ in }
        let connection = try SQLiteConnection(path: sandbox.db)
        defer { connection.close() }
        try connection.transaction {
            var previous = AuditChain.genesis
            for id in Int64(1)...Int64(count) {
                let time = base + .seconds(id - 1)
                let entry = AuditEntry.failure(
                    .login, .badPassword, username: "u\(id % 7)", context: AuditContext(address: "192.0.2.\(id % 9)"))
                let hash = AuditChain.hash(previous: previous, id: id, time: time, entry: entry)
                try connection.run(
                    """
                    INSERT INTO audit_log (id, time, event, outcome, reason, username, address, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    id, time.microseconds, entry.event.rawValue, entry.outcome.rawValue, entry.reason?.rawValue ?? "",
                    entry.username, entry.context.address, hash)
                previous = hash
            }
        }
    }

    /// The `head ID:HASH` line of a successful `audit verify`.
    func head(_ result: AuthdResult) throws -> String {
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("head ") }, "\(result)")
        return String(line.dropFirst("head ".count))
    }

    /// `audit prune` killed with SIGKILL between two of its batches: whatever was deleted,
    /// the `audit_prune` row recording the range is committed, the log verifies (reported as
    /// an unfinished prune), and running the prune again finishes it.
    ///
    /// The test watches the database: once the anchor exists (deleting has started) it takes
    /// the write lock, so the prune cannot commit another batch, kills it, and reads the
    /// state the prune left while still holding the lock.
    @Test func aPruneKilledMidwayLeavesItsRecord() async throws {
        try await Sandbox.with { sandbox in
            // Rows from 2023-11-14T22:13:20Z on, all before the cutoff; the prunes' own rows
            // are stamped now, after it, so the second prune's range ends where the first's did.
            let rows = 20_000
            try await seedChain(sandbox, count: rows, base: Timestamp(seconds: 1_700_000_000))
            let process = Process()
            process.executableURL = AuthdProcess.binary
            process.arguments = [
                "audit", "prune", "--before", "2024-01-01T00:00:00Z", "--batch-size", "1", "--db", sandbox.db,
            ]
            process.currentDirectoryURL = sandbox.directory
            process.environment = AuthdProcess.environment([:])
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()

            let watcher = try SQLiteConnection(path: sandbox.db)
            defer { watcher.close() }
            func anchor() throws -> Int64 {
                try watcher.scalarInt("SELECT COALESCE((SELECT last_id FROM audit_anchor WHERE id = 1), 0)")
            }
            // Reads in WAL mode never block the prune; this only looks until it has deleted.
            while try anchor() == 0 {
                try #require(process.isRunning, "the prune ended before it was seen deleting")
                usleep(500)  // polling cadence, not a synchronisation
            }
            try watcher.execute("BEGIN IMMEDIATE")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
            let deletedThrough = try anchor()
            let remaining = try watcher.scalarInt("SELECT count(*) FROM audit_log WHERE id <= ?", rows)
            let record = try watcher.queryFirst(
                "SELECT id, detail FROM audit_log WHERE event = 'audit_prune'", []
            ) { (id: $0.int64(0), detail: $0.string(1)) }
            try watcher.execute("ROLLBACK")

            #expect(deletedThrough >= 1 && remaining == Int64(rows) - deletedThrough, "killed mid-prune")
            #expect(remaining > 0, "the kill came before the prune finished")
            let prune = try #require(record, "rows were deleted, so the prune's record must be committed")
            #expect(prune.id == Int64(rows) + 1)
            #expect(prune.detail == "from=1 through=\(rows) rows=\(rows) before=2024-01-01T00:00:00.000000Z")

            let interrupted = try await sandbox.authd("audit", "verify")
            #expect(interrupted.status == 0, "\(interrupted)")
            #expect(
                interrupted.stdout.contains(
                    "anchor \(deletedThrough):"),
                "\(interrupted)")
            #expect(
                interrupted.stdout.contains(
                    "(unfinished: the prune recorded at row \(rows + 1) removes rows 1-\(rows); "
                        + "run authd audit prune again to finish)"), "\(interrupted)")

            let again = try await sandbox.authd("audit", "prune", "--before", "2024-01-01T00:00:00Z")
            #expect(again.status == 0, "\(again)")
            #expect(again.stdout.hasPrefix("pruned \(remaining) audit rows"), "\(again)")
            let finished = try await sandbox.authd("audit", "verify")
            #expect(finished.status == 0, "\(finished)")
            #expect(
                finished.stdout.contains("(recorded: the prune at row \(rows + 2) removed rows up to \(rows))"),
                "\(finished)")
            let last = try await sandbox.lastAudit()
            #expect(
                last.entry.detail
                    == "from=\(deletedThrough + 1) through=\(rows) rows=\(remaining) before=2024-01-01T00:00:00.000000Z"
            )
        }
    }

    /// The routine: keep the head `audit verify` prints, pass it to `--expect` next time.
    /// An honest prune removes the row and says so; rows 1…N removed by hand with the anchor
    /// set to row N's hash are caught; a rewritten chain is caught by the hash.
    @Test func expectTellsAnHonestPruneFromATruncation() async throws {
        try await Sandbox.with { sandbox in
            try await seedChain(sandbox, count: 5)
            let first = try await sandbox.authd("audit", "verify")
            #expect(first.status == 0, "\(first)")
            let recorded = try head(first)
            #expect(recorded.hasPrefix("5:"))
            #expect(first.stdout.contains("anchor none (never pruned)\n"), "\(first)")

            // Rows 6–10, then an honest prune of rows 1–7 (before 08:00:07). Its row is 11.
            try await sandbox.withStore { store in
                for second in Int64(5)..<10 {
                    try await store.recordAudit(
                        .failure(.login, .unknownUser, username: "x", context: .commandLine),
                        at: Self.base + .seconds(second))
                }
            }
            #expect(try await sandbox.authd("audit", "prune", "--before", "2027-01-15T08:00:07Z").status == 0)
            let honest = try await sandbox.authd("audit", "verify", "--expect", recorded)
            #expect(honest.status == 0, "\(honest)")
            #expect(
                honest.stdout.contains("\nexpect \(recorded): pruned (recorded by the prune at row 11)\n"), "\(honest)")
            #expect(honest.stdout.contains("(recorded: the prune at row 11 removed rows up to 7)"), "\(honest)")
            let second = try head(honest)
            #expect(second.hasPrefix("11:"))

            // Rows 8–10 deleted by hand and the anchor set to row 10's hash: the rest of the
            // chain (row 11) hashes correctly and the head is unchanged, but the prune recorded
            // in it reached row 7 only.
            try sandbox.sql(
                """
                UPDATE audit_anchor SET last_id = 10, hash = (SELECT hash FROM audit_log WHERE id = 10);
                DELETE FROM audit_log WHERE id <= 10;
                """)
            let truncated = try await sandbox.authd("audit", "verify", "--expect", second)
            expectFailure(truncated, "audit log truncated: rows up to 10 are gone but no prune recorded in the chain")
            let withOld = try await sandbox.authd("audit", "verify", "--expect", recorded)
            expectFailure(withOld, "audit log truncated")
        }
    }

    /// `--expect` is what catches a rewritten chain, and a truncation of a log whose newest
    /// prune was made by an authd before the range was recorded.
    @Test func expectCatchesWhatTheChainCannot() async throws {
        try await Sandbox.with { sandbox in
            try await seedChain(sandbox, count: 6)
            let recorded = try head(try await sandbox.authd("audit", "verify"))
            // Rewritten: row 6 edited and re-hashed. The chain is intact, the head is not.
            try await sandbox.withStore { _ in }
            let connection = try SQLiteConnection(path: sandbox.db)
            let row6 = try #require(
                try connection.queryFirst(
                    "SELECT \(SQLiteAuthStore.auditColumns) FROM audit_log WHERE id = 6", [],
                    SQLiteAuthStore.auditRecord(from:)))
            let row5 = try #require(
                try connection.queryFirst("SELECT hash FROM audit_log WHERE id = 5") { $0.bytes(0) })
            var edited = row6.entry
            edited.username = "nobody"
            let forged = AuditChain.hash(previous: row5, id: 6, time: row6.time, entry: edited)
            try connection.run("UPDATE audit_log SET username = 'nobody', hash = ? WHERE id = 6", forged)
            connection.close()
            #expect(try await sandbox.authd("audit", "verify").status == 0)
            expectFailure(
                try await sandbox.authd("audit", "verify", "--expect", recorded),
                "audit row 6 has hash \(Hex.encode(forged)), not the expected \(recorded.dropFirst(2))")

            // A row-less prune (as authd wrote before the range was recorded) on top of a
            // truncation of rows 1–3: the anchor cannot be checked, so `audit verify` passes
            // and says so; a recorded row below it is reported missing.
            let early = try await sandbox.withStore { store in
                try #require(try await store.recentAudit(limit: 100).first { $0.id == 2 })
            }
            try sandbox.sql(
                """
                INSERT INTO audit_anchor (id, last_id, hash) SELECT 1, id, hash FROM audit_log WHERE id = 3;
                DELETE FROM audit_log WHERE id <= 3;
                """)
            try await sandbox.withStore { store in
                try await store.recordAudit(
                    .success(.auditPrune, username: "", context: .commandLine), at: Self.base + .seconds(60))
            }
            let unprovable = try await sandbox.authd("audit", "verify")
            #expect(unprovable.status == 0, "\(unprovable)")
            #expect(
                unprovable.stdout.contains(
                    "(not provable: the newest prune, row 7, was made by an authd before migration 0004"),
                "\(unprovable)")
            expectFailure(
                try await sandbox.authd("audit", "verify", "--expect", "2:\(Hex.encode(early.hash))"),
                "audit row 2 is missing: it is at or below the anchor (row 3)")
        }
    }

    @Test func expectIsCheckedForForm() async throws {
        try await Sandbox.with { sandbox in
            try await seedChain(sandbox, count: 1)
            expectUsageError(try await sandbox.authd("audit", "verify", "--expect", "5:abc"), "--expect wants ID:HASH")
            expectUsageError(
                try await sandbox.authd("audit", "prune", "--before", "1d", "--batch-size", "0"), "--batch-size")
        }
    }
}
