import Dispatch
import Testing

@testable import AuthStore

/// The writer's health, which `/healthz` reports: failing commits and a stuck writer are
/// seen although reads still work, and recovery is seen once a write gets through.
@Suite struct WriterHealthTests {
    let context = Fixture.context
    let stallLimit = Duration.seconds(5)

    /// A user agent large enough that its audit row needs pages the database cannot get:
    /// more than the free pages a new database has (migration 0006 frees the first sessions
    /// table's few pages), so the file must grow.
    private func bulkyContext(_ index: Int) -> AuditContext {
        AuditContext(
            address: "203.0.113.7", userAgent: String(repeating: "x", count: 200_000), requestID: "req-\(index)")
    }

    /// Simulates a full disk: the writer connection may not grow the file past its size now.
    private func fillDisk(_ store: SQLiteAuthStore) async throws {
        try await store.writer.withConnection { try $0.execute("PRAGMA max_page_count = 1") }
    }

    private func freeDisk(_ store: SQLiteAuthStore) async throws {
        try await store.writer.withConnection { try $0.execute("PRAGMA max_page_count = 1073741823") }
    }

    @Test func failingWritesAreUnhealthyUntilAWriteCommitsAgain() async throws {
        try await withStore { store, _ in
            try await store.recordAudit(.failure(.verify, .badToken, context: context), at: Fixture.t0)
            #expect(store.writerHealth() == .healthy)

            try await fillDisk(store)
            let code = await storeErrorCode {
                try await store.recordAudit(
                    .failure(.login, .badPassword, username: "alice", context: bulkyContext(1)), at: Fixture.t0)
            }
            #expect(code == .database)
            let failing = store.writerHealth()
            #expect(failing.failure?.contains("full") == true, "\(failing)")
            #expect(!failing.isHealthy(at: .now, stallLimit: stallLimit))
            // Reads still answer: this is what a read-only health check could not see.
            #expect(try await store.ping() > 0)

            // A transaction that changes nothing commits even on a full disk; it proves nothing.
            #expect(try await store.deleteExpiredSessions(policy: SessionPolicy(), at: Fixture.t0) == 0)
            #expect(store.writerHealth().failure != nil)

            // Space comes back: the next write commits and the writer is healthy again.
            try await freeDisk(store)
            try await store.recordAudit(
                .failure(.login, .badPassword, username: "alice", context: bulkyContext(2)), at: Fixture.t0)
            #expect(store.writerHealth() == .healthy)
            // Nothing half-written: the chain `audit verify` checks is intact.
            let verification = try await store.verifyAuditChain { _, _ in }
            #expect(verification.isIntact)
            #expect(verification.checked == 2)
        }
    }

    @Test func aRefusedWriteIsNotADatabaseFailure() async throws {
        try await withStore { store, _ in
            try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: context)
            let code = await storeErrorCode {
                try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: context)
            }
            #expect(code == .userExists)
            #expect(store.writerHealth() == .healthy)
        }
    }

    @Test func aWriterHeldLongerThanTheLimitIsStuck() async throws {
        try await withStore { store, _ in
            // Hold the writer inside a write, as a commit stuck on a slow or failing disk would.
            let release = DispatchSemaphore(value: 0)
            let (started, signal) = AsyncStream<Void>.makeStream()
            let blocker = Task {
                try await store.writer.write { connection in
                    try connection.run("DELETE FROM login_failures")
                    signal.yield()
                    release.wait()
                }
            }
            for await _ in started { break }
            // And a login waiting behind it.
            let waiting = Task.immediate {
                try await store.recordAudit(.failure(.verify, .badToken, context: context), at: Fixture.t0)
            }

            let health = store.writerHealth()
            // Let go before checking, so that a failed check fails the test instead of hanging it.
            release.signal()
            try await blocker.value
            try await waiting.value

            let queued = try #require(health.oldestWriteQueuedAt)
            #expect(health.failure == nil)
            #expect(health.isHealthy(at: queued + stallLimit, stallLimit: stallLimit))
            let stuck = health.problem(at: queued + stallLimit + .milliseconds(1), stallLimit: stallLimit)
            #expect(stuck?.contains("stuck") == true, "\(String(describing: stuck))")
            #expect(store.writerHealth() == .healthy)
        }
    }

    @Test func aLockHeldPastTheBusyTimeoutFailsWritesUntilItIsReleased() async throws {
        try await withStore { store, directory in
            // Another process holding the write lock, e.g. a stray `sqlite3` shell.
            let other = try SQLiteConnection(path: directory.file("auth.db"))
            defer { other.close() }
            try other.execute("BEGIN EXCLUSIVE")

            let code = await storeErrorCode {
                try await store.recordAudit(.failure(.verify, .badToken, context: context), at: Fixture.t0)
            }
            #expect(code == .database)
            #expect(store.writerHealth().failure?.contains("locked") == true, "\(store.writerHealth())")

            try other.execute("ROLLBACK")
            try await store.recordAudit(.failure(.verify, .badToken, context: context), at: Fixture.t0)
            #expect(store.writerHealth() == .healthy)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }
}
