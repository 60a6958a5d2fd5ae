import AuthStore
import CoreMetrics
import Prometheus

/// Every metric authd exports, named once here (Prometheus conventions: `_total` counters,
/// `_seconds` durations, base units).
///
/// Metrics are made through an injected swift-metrics factory rather than the global
/// `MetricsSystem`, so each test reads its own registry. Labels come from closed sets only
/// (outcomes, reasons, route patterns, known methods, status codes): nothing a client sends
/// can grow the number of series.
public struct AuthMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records nothing (tests that do not look at metrics, admin commands).
    public static let disabled = AuthMetrics(factory: NOOPMetricsHandler.instance)

    /// A Prometheus factory over `registry` with buckets chosen for what authd measures.
    public static func prometheusFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            Name.requestDuration: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            ],
            // PBKDF2 at 600,000 iterations takes a few hundred milliseconds per core.
            Name.pbkdf2Duration: [
                .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(200),
                .milliseconds(400), .milliseconds(800), .seconds(1.6), .seconds(3.2),
            ],
            // A commit is an fsync: sub-millisecond on good SSDs, tens of ms on slow disks.
            Name.commitDuration: [
                .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250),
            ],
        ]
        factory.valueHistogramBuckets = [Name.batchSize: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]]
        return factory
    }

    enum Name {
        static let requestDuration = "authd_http_request_duration_seconds"
        static let pbkdf2Duration = "authd_pbkdf2_duration_seconds"
        static let pbkdf2QueueDepth = "authd_pbkdf2_queue_depth"
        static let commitDuration = "authd_db_commit_duration_seconds"
        static let batchSize = "authd_db_writer_batch_size"
        static let pagesWritten = "authd_db_pages_written_total"
        static let sessionsLive = "authd_sessions_live"
        static let databaseSize = "authd_database_size_bytes"
    }

    /// What a login, logout or verify attempt is counted under.
    public enum Operation: String, Sendable {
        case login = "authd_logins_total"
        case logout = "authd_logouts_total"
        case verify = "authd_verifies_total"

        /// Logout everywhere (Basic logout) counts as a logout.
        init(_ event: AuditEvent) {
            switch event {
            case .login: self = .login
            case .verify: self = .verify
            default: self = .logout
            }
        }
    }

    /// Counts one attempt: `authd_logins_total{outcome="failure",reason="bad_password"}`.
    /// Successes have `reason="none"`; a full PBKDF2 queue is `reason="unavailable"`.
    func attempt(_ operation: Operation, failure reason: String? = nil) {
        Counter(
            label: operation.rawValue,
            dimensions: [("outcome", reason == nil ? "success" : "failure"), ("reason", reason ?? "none")],
            factory: factory
        ).increment()
    }

    func attempt(_ event: AuditEvent, failure reason: AuditReason) {
        attempt(Operation(event), failure: reason.rawValue)
    }

    /// One HTTP request, labelled by route pattern (never the raw path).
    func request(route: String, method: String, status: Int, duration: Duration) {
        Timer(
            label: Name.requestDuration,
            dimensions: [
                ("route", route), ("method", Self.knownMethods.contains(method) ? method : "other"),
                ("status", String(status)),
            ],
            factory: factory
        ).recordInterval(duration)
    }

    static let knownMethods: Set<String> = ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// One PBKDF2 run, measured on the pool thread (queueing excluded).
    func pbkdf2(_ duration: Duration) {
        Timer(label: Name.pbkdf2Duration, factory: factory).recordInterval(duration)
    }

    /// The store's observer: batch sizes, commit latencies and pages written by the single writer.
    public var storeObserver: StoreObserver {
        let batchSize = Recorder(label: Name.batchSize, factory: factory)
        let commit = Timer(label: Name.commitDuration, factory: factory)
        let pages = Counter(label: Name.pagesWritten, factory: factory)
        return StoreObserver(
            batchCommitted: { writes, duration in
                batchSize.record(writes)
                commit.recordInterval(duration)
            },
            pagesWritten: { pages.increment(by: $0) })
    }

    /// Gauges read at scrape time: cheap there, and exact when they are read.
    func refreshGauges(statistics: StoreStatistics?, pbkdf2QueueDepth: Int) {
        Meter(label: Name.pbkdf2QueueDepth, factory: factory).set(pbkdf2QueueDepth)
        if let statistics {
            Meter(label: Name.sessionsLive, factory: factory).set(statistics.sessions)
            Meter(label: Name.databaseSize, factory: factory).set(statistics.databaseBytes)
        }
    }
}

extension Timer {
    func recordInterval(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
