import Dispatch
import Synchronization

/// The single writer: owns the one read-write connection and runs every write on its own
/// serial queue, so SQLite's blocking calls never occupy Swift's cooperative threads.
///
/// Writes that arrive while a commit is in progress are grouped: the next batch runs in one
/// `BEGIN IMMEDIATE … COMMIT`, each write inside its own savepoint. With `synchronous=FULL`
/// that shares one fsync between many requests. A write whose body throws is rolled back
/// to its savepoint alone; if the COMMIT itself fails, every write of the batch fails. No
/// caller is answered before the commit that holds its write has returned.
///
/// It also keeps its own health (``WriterHealth``), readable at any time without queueing
/// behind the writes: how long the oldest unfinished write has waited, and whether the
/// database failed the last transaction that tried to change data.
final class DatabaseWriter: @unchecked Sendable {
    // @unchecked: `connection` is touched only on `queue`; `state` is behind a Mutex.
    private let connection: SQLiteConnection
    private let queue = DispatchQueue(label: "authd.sqlite.writer")
    private let state = Mutex(State())
    /// Upper bound on writes per transaction, so one batch cannot hold the lock for long.
    private let maxBatch = 512

    private struct State {
        var pending: [PendingWrite] = []
        var draining = false
        var closed = false
        /// When the oldest write of the batch now running was queued.
        var runningSince: ContinuousClock.Instant?
        /// The database's last failure, until a transaction that changed data commits.
        var failure: String?
    }

    /// One queued write: runs inside the open transaction and hands back what to do once the
    /// transaction's fate is known.
    private struct PendingWrite: Sendable {
        let queuedAt = ContinuousClock.now
        let perform: @Sendable (SQLiteConnection) -> Completion
        let reject: @Sendable (any Error) -> Void
    }

    private struct Completion: Sendable {
        let committed: @Sendable () -> Void
        let failed: @Sendable (any Error) -> Void
        /// The write succeeded and changed rows: once committed, proof that the disk takes writes.
        var changedRows = false
        /// The database failed this write (disk full, I/O…), not the write's own logic.
        var storageFailure: SQLiteError? = nil
    }

    private let observer: StoreObserver

    init(connection: SQLiteConnection, observer: StoreObserver = .none) {
        self.connection = connection
        self.observer = observer
    }

    /// Runs `body` in a write transaction and returns its result once that is durable.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let write = PendingWrite(
                perform: { connection in
                    do {
                        try connection.run("SAVEPOINT write")
                        let changesBefore = connection.totalChanges
                        let value = try body(connection)
                        let changedRows = connection.totalChanges > changesBefore
                        try connection.run("RELEASE write")
                        return Completion(
                            committed: { continuation.resume(returning: value) },
                            failed: { continuation.resume(throwing: $0) }, changedRows: changedRows)
                    } catch {
                        try? connection.execute("ROLLBACK TO write")
                        try? connection.execute("RELEASE write")
                        let storageFailure = Self.storageFailure(in: error)
                        return Completion(
                            committed: { continuation.resume(throwing: error) },
                            failed: { _ in continuation.resume(throwing: error) },
                            storageFailure: storageFailure)
                    }
                },
                reject: { continuation.resume(throwing: $0) })
            enqueue(write)
        }
    }

    /// The writer's health now; never waits for the writer's queue.
    func health() -> WriterHealth {
        state.withLock { state in
            WriterHealth(
                oldestWriteQueuedAt: state.runningSince ?? state.pending.first?.queuedAt, failure: state.failure)
        }
    }

    /// Runs `body` on the writer's queue outside any transaction (backup, checkpoints).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }

    /// Waits for queued writes to commit, then closes the connection. Later writes fail.
    func close() async {
        state.withLock { $0.closed = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                // Writes queued before `closed` was set are drained by the loop already
                // scheduled ahead of this block on the same serial queue.
                self.connection.close()
                continuation.resume()
            }
        }
    }

    private func enqueue(_ write: PendingWrite) {
        let (accepted, startDrain) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.pending.append(write)
            guard !state.draining else { return (true, false) }
            state.draining = true
            return (true, true)
        }
        guard accepted else {
            write.reject(StoreError(.database, "database is closed"))
            return
        }
        if startDrain { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [PendingWrite] in
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                state.runningSince = batch.first?.queuedAt
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            run(batch[...])
        }
    }

    private func run(_ batch: ArraySlice<PendingWrite>) {
        guard !batch.isEmpty else { return }
        let started = ContinuousClock.now
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            settle(failure: Self.storageFailure(in: error), recovered: false)
            batch.forEach { $0.reject(error) }
            return
        }
        var completions: [Completion] = []
        for index in batch.indices {
            completions.append(batch[index].perform(connection))
            if connection.isAutocommit {
                // SQLite rolled the whole transaction back on its own: nothing of this batch
                // so far is on disk. Fail those writes and run the rest as a new batch,
                // rather than letting them auto-commit one by one and then reporting failure.
                let error = StoreError(.database, "database \(connection.path): transaction rolled back by SQLite")
                let rest = batch[(index + 1)...]
                settle(failure: completions.last?.storageFailure, recovered: false, stillRunning: rest)
                completions.forEach { $0.failed(error) }
                run(rest)
                return
            }
        }
        do {
            try connection.execute("COMMIT")
            observer.batchCommitted(batch.count, ContinuousClock.now - started)
            observer.pagesWritten(connection.takePagesWritten())
            // Committed, but the database may have refused one of its writes: a full disk
            // fails the statement that needs a new page, not the COMMIT. And only a commit
            // that wrote something proves the disk takes writes again; a batch of no-ops
            // commits even on a full disk.
            let failure = completions.lazy.compactMap(\.storageFailure).first
            settle(failure: failure, recovered: failure == nil && completions.contains(where: \.changedRows))
            completions.forEach { $0.committed() }
        } catch {
            try? connection.execute("ROLLBACK")
            settle(failure: Self.storageFailure(in: error), recovered: false)
            completions.forEach { $0.failed(error) }
        }
    }

    /// Records how a batch ended, before any of its callers is answered, so that a caller
    /// who then reads the health sees the outcome of its own write.
    /// - Parameters:
    ///   - failure: the database's own failure, if it failed the batch or one of its writes.
    ///   - recovered: the batch committed a change, so writes work again.
    ///   - rest: the writes of the batch that still run.
    private func settle(
        failure: SQLiteError?, recovered: Bool, stillRunning rest: ArraySlice<PendingWrite> = []
    ) {
        state.withLock { state in
            if let failure {
                state.failure = "SQLite error \(failure.code): \(failure.message)"
            } else if recovered {
                state.failure = nil
            }
            state.runningSince = rest.first?.queuedAt
        }
    }

    /// The SQLite failure of the database itself behind `error`, if that is what it is.
    private static func storageFailure(in error: any Error) -> SQLiteError? {
        let sqlite = (error as? SQLiteError) ?? (error as? StoreError)?.underlying
        guard let sqlite, sqlite.isStorageFailure else { return nil }
        return sqlite
    }
}
