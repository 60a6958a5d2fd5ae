/// Whether the store can write, as `/healthz` needs to know: a database that answers reads
/// can still be unable to commit (a full disk, a lock held by another process), and then
/// every login fails while a read-only health check says all is well.
///
/// A snapshot, taken without waiting for the writer: reading it must not queue behind the
/// very writes that are stuck.
public struct WriterHealth: Sendable, Equatable {
    /// When the oldest write not yet finished was queued; `nil` when none is waiting.
    public var oldestWriteQueuedAt: ContinuousClock.Instant?
    /// Why the last write transaction failed, while no transaction that changed data has
    /// committed since; `nil` when writes succeed. Refused writes (a taken username) do not
    /// count, only the database failing: disk full, I/O error, lock timeout, corruption.
    public var failure: String?

    public init(oldestWriteQueuedAt: ContinuousClock.Instant? = nil, failure: String? = nil) {
        self.oldestWriteQueuedAt = oldestWriteQueuedAt
        self.failure = failure
    }

    /// What is wrong at `now`, as one line for the log, or `nil` when writes are healthy.
    ///
    /// - Parameter stallLimit: how long a write may wait before the writer counts as stuck.
    public func problem(at now: ContinuousClock.Instant, stallLimit: Duration) -> String? {
        if let failure { return "database writes are failing: \(failure)" }
        if let queued = oldestWriteQueuedAt, now - queued > stallLimit {
            return "database writer stuck: a write has waited \(now - queued)"
        }
        return nil
    }

    /// Whether writes are healthy at `now` (see ``problem(at:stallLimit:)``).
    public func isHealthy(at now: ContinuousClock.Instant, stallLimit: Duration) -> Bool {
        problem(at: now, stallLimit: stallLimit) == nil
    }

    /// Writes that succeed and are not stuck.
    public static let healthy = WriterHealth()
}
