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
    /// Whether `unknown_user`, `bad_password` and `disabled` are shown as one reason.
    private(set) var mergesCredentialFailures = false

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

    /// The same endpoint for a port anyone may reach: counting failures by `unknown_user`
    /// versus `bad_password` would tell which usernames exist, undoing the equal body and
    /// timing of 401, so those reasons (and `disabled`) are shown as `invalid_credentials`.
    public func mergingCredentialFailures() -> MetricsEndpoint {
        var endpoint = self
        endpoint.mergesCredentialFailures = true
        return endpoint
    }

    func response() async -> Response {
        // A database that does not answer leaves its gauges at their last values; the
        // request counters still show the failures.
        metrics.refreshGauges(statistics: await statistics.statistics(), pbkdf2QueueDepth: pool.depth)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: exposition())))
    }

    /// The registry's text, with the credential failure reasons merged when asked.
    private func exposition() -> [UInt8] {
        let bytes = registry.emitToBuffer()
        guard mergesCredentialFailures else { return bytes }
        return Array(CredentialFailureMerge.apply(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    /// A router serving only `/metrics`, for `--metrics-port`.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(Self.path)) { _, _ in await response() }
        return router
    }
}
