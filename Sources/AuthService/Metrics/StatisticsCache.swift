import AuthStore
import Synchronization

/// The store's statistics for `/metrics`, read at most once a second.
///
/// Counting live sessions scans an index: a few milliseconds at 100,000 sessions. Scrapes
/// come every 15–60 s, but `/metrics` may be on the public API port, where anyone could ask
/// for it in a loop; this keeps that from becoming a stream of scans on the reader pool.
final class StatisticsCache: Sendable {
    private let store: any AuthStorage
    private let clock: @Sendable () -> Timestamp
    private let maxAge: Duration
    private let cached = Mutex<(statistics: StoreStatistics, readAt: Timestamp)?>(nil)

    init(store: any AuthStorage, maxAge: Duration = .seconds(1), clock: @escaping @Sendable () -> Timestamp) {
        self.store = store
        self.maxAge = maxAge
        self.clock = clock
    }

    /// Fresh statistics, or the last ones if they are younger than `maxAge`; nil when the
    /// database does not answer (the gauges then keep their last values).
    func statistics() async -> StoreStatistics? {
        let now = clock()
        if let cached = cached.withLock({ $0 }), now < cached.readAt + maxAge, now >= cached.readAt {
            return cached.statistics
        }
        guard let statistics = try? await store.statistics() else { return nil }
        self.cached.withLock { $0 = (statistics, now) }
        return statistics
    }
}
