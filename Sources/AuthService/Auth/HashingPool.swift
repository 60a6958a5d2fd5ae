import NIOCore
import NIOPosix
import Synchronization

/// Runs PBKDF2 on dedicated threads, one per core, with a bounded queue.
///
/// PBKDF2 is blocking CPU work by design. On NIO's event loops it would stall every
/// connection; on Swift's cooperative pool it would starve every task. When more jobs wait
/// than `maxQueued`, new ones are refused at once (the server answers 503), so a login
/// flood costs memory proportional to the bound, not to the flood.
public final class HashingPool: Sendable {
    private let pool: NIOThreadPool
    private let inFlight = Atomic<Int>(0)
    public let threads: Int
    public let maxQueued: Int
    /// Jobs run so far, for tests that must show that a path spent (or did not spend) PBKDF2.
    private let completed = Atomic<Int>(0)

    /// Thrown when the queue is full.
    public struct Overloaded: Error {}

    public init(threads: Int = System.coreCount, maxQueued: Int? = nil) {
        self.threads = max(1, threads)
        self.maxQueued = maxQueued ?? self.threads * 32
        self.pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    /// Runs `work` on a pool thread; throws ``Overloaded`` when the queue is full.
    public func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        let waiting = inFlight.wrappingAdd(1, ordering: .relaxed).newValue
        defer { inFlight.wrappingSubtract(1, ordering: .relaxed) }
        guard waiting <= threads + maxQueued else { throw Overloaded() }
        let result = try await pool.runIfActive(work)
        completed.wrappingAdd(1, ordering: .relaxed)
        return result
    }

    /// Jobs waiting or running now.
    public var depth: Int { inFlight.load(ordering: .relaxed) }

    /// Jobs completed since start.
    public var completedJobs: Int { completed.load(ordering: .relaxed) }

    public func shutdown() async {
        try? await pool.shutdownGracefully()
    }
}
