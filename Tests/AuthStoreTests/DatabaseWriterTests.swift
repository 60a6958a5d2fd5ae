import Dispatch
import Testing

@testable import AuthStore

private struct Refused: Error, Equatable {
    let index: Int
}

/// Hands a non-Sendable value to the writer's queue, where it is used only serially.
private final class Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

@Suite struct DatabaseWriterTests {
    @Test func manyConcurrentWritesAllCommit() async throws {
        try await withStore { store, _ in
            let count = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await store.recordAudit(
                            .failure(
                                .login, .badPassword, username: "user\(index)",
                                context: Fixture.context),
                            at: Fixture.t0 + .microseconds(Int64(index)))
                    }
                }
                try await group.waitForAll()
            }

            let records = try await store.allAudit()
            #expect(records.count == count)
            #expect(records.map(\.id) == Array(1...Int64(count)))
            #expect(Set(records.map(\.entry.username)) == Set((0..<count).map { "user\($0)" }))
            // Grouped or not, the chain stayed linear.
            var previous = AuditChain.genesis
            for record in records {
                #expect(
                    record.hash
                        == AuditChain.hash(
                            previous: previous, id: record.id, time: record.time,
                            entry: record.entry))
                previous = record.hash
            }
        }
    }

    /// Holds the writer in a first write until `release`, so that the writes queued meanwhile
    /// form the next batch. Returns the blocker's task once its body is running.
    private func holdWriter(_ writer: DatabaseWriter, until release: DispatchSemaphore) async -> Task<Void, any Error> {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let blocker = Task {
            try await writer.write { connection in
                try connection.run("INSERT INTO marks (n) VALUES (0)")
                signal.yield()
                release.wait()
            }
        }
        for await _ in started { break }
        return blocker
    }

    @Test func aThrowingWriteFailsAloneInItsBatch() async throws {
        try await withStore { store, directory in
            try await store.write { try $0.execute("CREATE TABLE marks (n INTEGER NOT NULL, committed_seen INTEGER)") }
            // A separate read-only connection shows what is committed; it is only used inside
            // write bodies, which the writer runs one at a time.
            let observer = Unchecked(try SQLiteConnection(path: directory.file("auth.db"), readOnly: true))
            defer { observer.value.close() }
            let release = DispatchSemaphore(value: 0)
            let blocker = await holdWriter(store.writer, until: release)

            // Queue ten writes while the writer is busy; Task.immediate runs each call up to its
            // suspension, that is until the write is queued.
            var tasks: [Task<Int, any Error>] = []
            for index in 1...10 {
                tasks.append(
                    Task.immediate {
                        try await store.writer.write { connection in
                            let seen = try observer.value.scalarInt("SELECT count(*) FROM marks")
                            try connection.run("INSERT INTO marks (n, committed_seen) VALUES (?, ?)", index, seen)
                            if index == 5 { throw Refused(index: index) }
                            return index
                        }
                    })
            }
            release.signal()
            try await blocker.value

            var results: [Int: Result<Int, any Error>] = [:]
            for (offset, task) in tasks.enumerated() {
                results[offset + 1] = await task.result
            }
            for index in 1...10 where index != 5 {
                #expect(try results[index]?.get() == index)
            }
            #expect(throws: Refused(index: 5)) { try results[5]?.get() }

            let rows = try await store.read {
                try $0.query("SELECT n, committed_seen FROM marks ORDER BY n", []) { ($0.int(0), $0.int(1)) }
            }
            #expect(rows.map(\.0) == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10])
            // Every queued write saw only the blocker's row committed: they ran in one transaction.
            #expect(rows.dropFirst().allSatisfy { $0.1 == 1 }, "\(rows)")
        }
    }

    @Test func aFailedCommitFailsTheWholeBatch() async throws {
        try await withStore { store, _ in
            try await store.write { try $0.execute("CREATE TABLE marks (n INTEGER NOT NULL)") }
            let release = DispatchSemaphore(value: 0)
            let blocker = await holdWriter(store.writer, until: release)

            let innocent = Task.immediate {
                try await store.writer.write { try $0.run("INSERT INTO marks (n) VALUES (1)") }
            }
            // A deferred foreign-key violation is only detected at COMMIT.
            let culprit = Task.immediate {
                try await store.writer.write { connection in
                    try connection.execute("PRAGMA defer_foreign_keys = ON")
                    try connection.run(
                        """
                        INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at)
                        VALUES ('dangling', x'01', 12345, 0, 0, 0)
                        """)
                }
            }
            release.signal()
            try await blocker.value

            let innocentError = try await #require(throws: SQLiteError.self) { try await innocent.value }
            let culpritError = try await #require(throws: SQLiteError.self) { try await culprit.value }
            #expect(innocentError.code == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
            #expect(culpritError.code == 787)
            #expect(try await store.read { try $0.query("SELECT n FROM marks", []) { $0.int(0) } } == [0])
            #expect(try await store.count("sessions") == 0)

            // The writer recovers: the next write commits.
            try await store.recordAudit(.failure(.verify, .badToken, context: Fixture.context), at: Fixture.t0)
            #expect(try await store.count("audit_log") == 1)
        }
    }

    @Test func aTransactionRolledBackBySQLiteFailsOnlyWhatItUndidAndTheRestCommits() async throws {
        try await withStore { store, _ in
            try await store.write { try $0.execute("CREATE TABLE marks (n INTEGER NOT NULL UNIQUE)") }
            let release = DispatchSemaphore(value: 0)
            let blocker = await holdWriter(store.writer, until: release)

            let before = Task.immediate {
                try await store.writer.write { try $0.run("INSERT INTO marks (n) VALUES (1)") }
            }
            // OR ROLLBACK makes SQLite roll back the whole transaction, not just the statement.
            let culprit = Task.immediate {
                try await store.writer.write { try $0.run("INSERT OR ROLLBACK INTO marks (n) VALUES (0)") }
            }
            let after = Task.immediate {
                try await store.writer.write { try $0.run("INSERT INTO marks (n) VALUES (2)") }
            }
            release.signal()
            try await blocker.value

            await #expect(throws: StoreError.self) { try await before.value }
            await #expect(throws: SQLiteError.self) { try await culprit.value }
            #expect(try await after.value == 1)
            // The blocker committed in its own batch; `before` was undone; `after` ran in a new batch.
            #expect(
                try await store.read { try $0.query("SELECT n FROM marks ORDER BY n", []) { $0.int(0) } } == [0, 2])
        }
    }

    /// On both engines: an error, not a write that waits for ever.
    @Test(arguments: Engine.all) func writesAfterCloseAreRefused(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await store.recordAudit(.failure(.verify, .badToken, context: Fixture.context), at: Fixture.t0)
            await store.close()
            let audited = await storeErrorCode {
                try await store.recordAudit(.failure(.verify, .badToken, context: Fixture.context), at: Fixture.t0)
            }
            #expect(audited == .database)
            let plain = await storeErrorCode {
                try await store.deleteExpiredFailures(policy: ThrottlePolicy(), at: Fixture.t0)
            }
            #expect(plain == .database)
        }
    }
}
