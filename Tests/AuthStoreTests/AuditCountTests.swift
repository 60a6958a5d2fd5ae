import Testing

@testable import AuthStore

/// The `count` column (migration 0004): a row that sums refused anonymous requests carries
/// how many it stands for, and the count is part of the row's hash, while every row written
/// before 0004 (count 1, no detail) keeps its hash.
@Suite struct AuditCountTests {
    let t0 = Fixture.t0
    let context = AuditContext(address: "198.51.100.0/24", userAgent: "", requestID: "")

    /// Rows 1–3: a plain failure, a summed one (count 37), another plain one.
    private func seed(_ store: any AuthStorage) async throws {
        try await store.recordAudit(.failure(.verify, .badToken, context: context), at: t0)
        try await store.recordAudit(.failure(.verify, .badToken, context: context, count: 37), at: t0 + .seconds(1))
        try await store.recordAudit(.failure(.logout, .malformed, context: context), at: t0 + .seconds(2))
    }

    /// A count of 1 and an empty detail encode as the ten fields rows always had; anything
    /// else adds both, so the count changes the hash.
    @Test func countIsHashedOnlyWhenNotOne() {
        let plain = AuditEntry.failure(.login, .badPassword, username: "alice", context: Fixture.context)
        var summed = plain
        summed.count = 2
        let legacy = AuditChain.hash(previous: AuditChain.genesis, id: 1, time: t0, entry: plain)
        // The pinned pre-0004 value (AuditChainTests.hashEncodingIsPinned).
        #expect(Hex.encode(legacy) == "5495a6f7adad92f76f6c13f1d19ae5d1374e57ea18d99357f5e377a2c4d3cc30")
        let withCount = AuditChain.hash(previous: AuditChain.genesis, id: 1, time: t0, entry: summed)
        #expect(withCount != legacy)
        // Pinned: computed with Python as bench/audit/generate.py does, the ten fields then
        // "2" and "" length-prefixed.
        #expect(Hex.encode(withCount) == "811ceadb3c8d5725d4a072374a0424bfbeff99babe9ad1e9e4cd3aa09d03aab8")
        // A count of "5" and a detail of "5" must not encode alike.
        var five = plain
        five.count = 5
        var detailFive = plain
        detailFive.detail = "5"
        #expect(
            AuditChain.hash(previous: AuditChain.genesis, id: 1, time: t0, entry: five)
                != AuditChain.hash(previous: AuditChain.genesis, id: 1, time: t0, entry: detailFive))
    }

    @Test(arguments: Engine.all) func countsAreStoredAndTheChainVerifies(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await seed(store)
            #expect(try await store.allAudit().map(\.entry.count) == [1, 37, 1])
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.isIntact && result.checked == 3)
        }
    }

    @Test(arguments: Engine.all) func changingACountBreaksTheChainAtThatRow(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await seed(store)
            try await store.tamper("UPDATE audit_log SET count = 36 WHERE id = 2")
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .brokenChain(at: 2))
            // Raising a plain row's count is caught as well, though its stored hash never
            // covered a count field.
            try await store.tamper(
                "UPDATE audit_log SET count = 37 WHERE id = 2; UPDATE audit_log SET count = 2 WHERE id = 3")
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .brokenChain(at: 3))
        }
    }

    @Test(arguments: Engine.all) func aCountBelowOneIsRefused(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let code = await storeErrorCode {
                try await store.recordAudit(.failure(.verify, .badToken, context: context, count: 0), at: t0)
            }
            #expect(code == .database)
            let rows = try await store.count("audit_log")
            #expect(rows == 0)
        }
    }

    /// Concurrent writes are grouped into one transaction (SQLite's writer, PostgreSQL's
    /// batcher). One that the database refuses must fail alone: the others commit, with a
    /// chain that verifies and ids without a gap.
    @Test(arguments: Engine.all) func aRefusedWriteAmongConcurrentOnesFailsAlone(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let count = index == 17 ? 0 : 1
                        do {
                            try await store.recordAudit(
                                .failure(.verify, .badToken, context: context, count: count), at: t0)
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 39)
            let rows = try await store.allAudit()
            #expect(rows.map(\.id) == Array(1...39))
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }

    /// A database an authd before 0004 wrote (migrated to 0003, rows without count or
    /// detail columns, one of them an old-style `audit_prune` row) gains the columns with
    /// their defaults and keeps verifying; new rows with counts chain on.
    @Test func aDatabaseFromBefore0004MigratesAndStillVerifies() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 3 }).migrate(connection)
            var previous = AuditChain.genesis
            let entries: [AuditEntry] = [
                .failure(.login, .badPassword, username: "alice", context: Fixture.context),
                .success(.login, username: "alice", session: "0123456789abcdef", context: Fixture.context),
                .success(.auditPrune, username: "", context: .commandLine),
            ]
            for (index, entry) in entries.enumerated() {
                let id = Int64(index + 1)
                let time = t0 + .seconds(id - 1)
                let hash = AuditChain.hash(previous: previous, id: id, time: time, entry: entry)
                try connection.run(
                    """
                    INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    id, time.microseconds, entry.event.rawValue, entry.outcome.rawValue, entry.reason?.rawValue ?? "",
                    entry.username, entry.session, entry.context.address, entry.context.userAgent,
                    entry.context.requestID, hash)
                previous = hash
            }
            // The first row's hash as the pre-0004 writer stored it (AuditChainTests' pinned value).
            #expect(
                Hex.encode(try connection.queryFirst("SELECT hash FROM audit_log WHERE id = 1") { $0.bytes(0) } ?? [])
                    == "5495a6f7adad92f76f6c13f1d19ae5d1374e57ea18d99357f5e377a2c4d3cc30")
            connection.close()

            let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
            do {
                #expect(try await store.migrationStatus().allSatisfy { $0.appliedAt != nil })
                let before = try await store.verifyAuditChain { _, _ in }
                #expect(before.isIntact && before.checked == 3)
                #expect(before.anchorRecord == .neverPruned)
                #expect(try await store.allAudit().map(\.entry.count) == [1, 1, 1])
                try await store.recordAudit(
                    .failure(.verify, .badToken, context: context, count: 12), at: t0 + .seconds(10))
                let after = try await store.verifyAuditChain { _, _ in }
                #expect(after.isIntact && after.checked == 4)
                #expect(try await store.allAudit().last?.entry.count == 12)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }
}
