import AuthStore
import Hummingbird
import Prometheus

/// `GET /metrics`: the registry in Prometheus text format, after refreshing the gauges that
/// are read at scrape time (live sessions, database size, PBKDF2 queue depth).
public struct MetricsEndpoint: Sendable {
    public static let path = "/metrics"

    let registry: PrometheusCollectorRegistry
    let metrics: AuthMetrics
    let statistics: StatisticsCache
    let pool: HashingPool

    /// - Parameter clock: ages the cached store statistics (read at most once a second).
    public init(
        registry: PrometheusCollectorRegistry, metrics: AuthMetrics, store: any AuthStorage, pool: HashingPool,
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now
    ) {
        self.registry = registry
        self.metrics = metrics
        self.statistics = StatisticsCache(store: store, clock: clock)
        self.pool = pool
    }

    func response() async -> Response {
        // A database that does not answer leaves its gauges at their last values; the
        // request counters still show the failures.
        metrics.refreshGauges(statistics: await statistics.statistics(), pbkdf2QueueDepth: pool.depth)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    /// A router serving only `/metrics`, for `--metrics-port`.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(Self.path)) { _, _ in await response() }
        return router
    }
}
