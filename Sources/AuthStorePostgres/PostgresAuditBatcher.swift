import AuthStore
import Logging
import PostgresNIO
import Synchronization

/// Group commit for audited writes on one replica.
///
/// Every audited transaction must hold the chain's head row, so across the cluster they run
/// one at a time; committing each alone would cap the whole cluster at one commit (one WAL
/// flush) per write. Instead each replica queues its audited writes here and runs whatever
/// has queued, up to ``maximumBatch``, as one transaction: lock the head, run every write,
/// insert all their audit rows in one statement, move the head, commit, and only then
/// answer each caller. A 200 still means the write is durable.
///
/// Writes are shaped so that a refusal (no such user, session not found…) is decided before
/// the write changes anything, and a refused write leaves the batch's transaction usable: it
/// fails alone. A database error aborts the transaction; the batch is rolled back and each
/// write is run again in a transaction of its own, so one bad write costs the others
/// nothing but time. Logouts, the commonest audited write, are not run one by one: one
/// statement ends the sessions of all the batch's logouts.
final class PostgresAuditBatcher: Sendable {
    /// What a write does.
    enum Work: Sendable {
        /// Any audited write, run on its own within the batch.
        case single(@Sendable (PostgresConnection, inout PostgresAuditAppender) async throws -> any Sendable)
        /// A logout: every logout of a batch is done by one statement (``EndSessions``), the
        /// commonest write costing one round trip per batch rather than one each.
        case logout(LogoutRequest)
    }

    /// One write: its work, and where its outcome goes once the batch has committed.
    private final class Job: @unchecked Sendable {
        // @unchecked: `outcome` is only touched by the batch loop, one batch at a time.
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
        var outcome: Result<any Sendable, any Error>?

        init(work: Work, continuation: CheckedContinuation<any Sendable, any Error>) {
            self.work = work
            self.continuation = continuation
        }
    }

    /// Ends the sessions of a batch's logouts and appends their audit rows; one
    /// ``TokenLookup`` per request, in order.
    typealias EndSessions = @Sendable (
        [LogoutRequest], PostgresConnection, inout PostgresAuditAppender
    ) async throws -> [TokenLookup]

    /// Writes per transaction at most: enough to amortise the commit under load, small enough
    /// that one transaction holds the head only briefly.
    static let maximumBatch = 64

    /// Jobs waiting for the next batch (a class, so the loop task can share the Mutex), and
    /// whether the batcher still takes new ones.
    private final class JobQueue: Sendable {
        struct State {
            var jobs: [Job] = []
            var closed = false
        }
        let state = Mutex(State())
    }

    private let queue = JobQueue()
    private let wakeUp: AsyncStream<Void>.Continuation
    private let loop: Task<Void, Never>

    /// - Parameter transaction: runs one transaction (``PostgresAuthStore/transaction(_:)``).
    init(
        logger: Logger, observer: StoreObserver, endSessions: @escaping EndSessions,
        transaction: @escaping @Sendable (
            @Sendable (PostgresConnection) async throws -> Void
        ) async throws -> Void
    ) {
        let (signals, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wakeUp = wakeUp
        self.loop = Task { [queue = self.queue] in
            for await _ in signals {
                while true {
                    let jobs = queue.state.withLock { state -> [Job] in
                        let taken = Array(state.jobs.prefix(Self.maximumBatch))
                        state.jobs.removeFirst(taken.count)
                        return taken
                    }
                    if jobs.isEmpty { break }
                    let started = ContinuousClock.now
                    await Self.run(jobs, logger: logger, endSessions: endSessions, transaction: transaction)
                    observer.batchCommitted(jobs.count, ContinuousClock.now - started)
                }
            }
        }
    }

    /// Queues `work` and returns its result once the transaction that ran it has committed.
    func submit<T: Sendable>(
        _ work: @escaping @Sendable (PostgresConnection, inout PostgresAuditAppender) async throws -> T
    ) async throws -> T {
        try await submit(.single { try await work($0, &$1) }) as! T
    }

    /// Queues a logout and returns what the token was once its batch has committed.
    func submitLogout(_ request: LogoutRequest) async throws -> TokenLookup {
        try await submit(.logout(request)) as! TokenLookup
    }

    /// - Throws: ``StoreError`` `.database` once the store is closed: nothing would run the
    ///   write, and its caller must not wait for ever.
    private func submit(_ work: Work) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(work: work, continuation: continuation)
            let accepted = queue.state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.jobs.append(job)
                return true
            }
            guard accepted else {
                continuation.resume(throwing: StoreError(.database, "the database is closed"))
                return
            }
            wakeUp.yield()
        }
    }

    /// Refuses new writes, runs those already queued, and stops.
    func close() async {
        queue.state.withLock { $0.closed = true }
        wakeUp.finish()
        await loop.value
    }

    private static func run(
        _ jobs: [Job], logger: Logger, endSessions: @escaping EndSessions,
        transaction: @Sendable (@Sendable (PostgresConnection) async throws -> Void) async throws -> Void
    ) async {
        do {
            try await transaction { connection in
                var appender = try await PostgresAuditAppender.lockHead(on: connection, logger: logger)
                var logouts: [(Job, LogoutRequest)] = []
                for job in jobs {
                    switch job.work {
                    case .logout(let request):
                        logouts.append((job, request))
                    case .single(let work):
                        do {
                            job.outcome = .success(try await work(connection, &appender))
                        } catch let error as StoreError where error.code != .database {
                            // A refusal decided before the write changed anything.
                            job.outcome = .failure(error)
                        }
                    }
                }
                if !logouts.isEmpty {
                    let lookups = try await endSessions(logouts.map(\.1), connection, &appender)
                    for ((job, _), lookup) in zip(logouts, lookups) { job.outcome = .success(lookup) }
                }
                try await appender.flush(on: connection, logger: logger)
            }
            for job in jobs {
                job.continuation.resume(with: job.outcome ?? .failure(StoreError(.database, "write did not run")))
            }
        } catch {
            guard jobs.count > 1 else {
                jobs[0].continuation.resume(throwing: error)
                return
            }
            // One write failed the transaction: run each alone, so only it fails.
            for job in jobs {
                await run([job], logger: logger, endSessions: endSessions, transaction: transaction)
            }
        }
    }
}
