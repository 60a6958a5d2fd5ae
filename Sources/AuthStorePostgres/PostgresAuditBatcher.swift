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
/// The batch is topped up once the head is locked: with several replicas, a transaction
/// often waits for the head while another replica commits, and the writes queued during
/// that wait join it rather than waiting for a transaction of their own. Commits holding
/// the head cannot share a WAL flush, so how many writes each carries is what the cluster's
/// write rate comes down to. A replica alone never waits for another, but the writes that
/// queue during its own `BEGIN` and lock round trips join too.
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

        /// Removes and returns the oldest jobs, `limit` at most.
        func take(_ limit: Int) -> [Job] {
            state.withLock { state in
                let taken = Array(state.jobs.prefix(max(0, limit)))
                state.jobs.removeFirst(taken.count)
                return taken
            }
        }
    }

    /// The jobs one transaction runs: those taken before it began, and those that queued
    /// while it waited for the head. Kept outside the transaction's body, so that a retried
    /// transaction runs the same jobs and every one of them is answered.
    private final class Batch: Sendable {
        let jobs: Mutex<[Job]>

        init(_ jobs: [Job]) {
            self.jobs = Mutex(jobs)
        }

        /// Adds what has queued meanwhile, up to ``maximumBatch`` in all; returns every job.
        func topUp(from queue: JobQueue) -> [Job] {
            jobs.withLock { jobs in
                jobs += queue.take(PostgresAuditBatcher.maximumBatch - jobs.count)
                return jobs
            }
        }

        var all: [Job] { jobs.withLock { $0 } }
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
                    let jobs = queue.take(Self.maximumBatch)
                    if jobs.isEmpty { break }
                    let started = ContinuousClock.now
                    let count = await Self.run(
                        Batch(jobs), toppedUpFrom: queue, logger: logger, endSessions: endSessions,
                        transaction: transaction)
                    observer.batchCommitted(count, ContinuousClock.now - started)
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

    /// Writes queued and not yet taken into a transaction (tests wait on it).
    var queuedWrites: Int {
        queue.state.withLock { $0.jobs.count }
    }

    /// Refuses new writes, runs those already queued, and stops.
    func close() async {
        queue.state.withLock { $0.closed = true }
        wakeUp.finish()
        await loop.value
    }

    /// Runs `batch` as one transaction, first topping it up from `queue` once the head is
    /// locked (not when each write is run again alone); answers every job and returns how
    /// many the transaction carried.
    @discardableResult
    private static func run(
        _ batch: Batch, toppedUpFrom queue: JobQueue?, logger: Logger, endSessions: @escaping EndSessions,
        transaction: @Sendable (@Sendable (PostgresConnection) async throws -> Void) async throws -> Void
    ) async -> Int {
        do {
            try await transaction { connection in
                var appender = try await PostgresAuditAppender.lockHead(on: connection, logger: logger)
                var logouts: [(Job, LogoutRequest)] = []
                for job in queue.map({ batch.topUp(from: $0) }) ?? batch.all {
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
            let jobs = batch.all
            for job in jobs {
                job.continuation.resume(with: job.outcome ?? .failure(StoreError(.database, "write did not run")))
            }
            return jobs.count
        } catch {
            let jobs = batch.all
            guard jobs.count > 1 else {
                jobs[0].continuation.resume(throwing: error)
                return 1
            }
            // One write failed the transaction: run each alone, so only it fails.
            for job in jobs {
                await run(Batch([job]), toppedUpFrom: nil, logger: logger, endSessions: endSessions,
                          transaction: transaction)
            }
            return jobs.count
        }
    }
}
