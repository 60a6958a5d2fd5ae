import AuthStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the HTTP server around a store: the application `authd serve` runs and the
/// tests drive.
public enum AuthServer {
    /// The application: routes, middleware, the session sweeper, the refusal sums.
    ///
    /// - Parameters:
    ///   - metrics: where attempts, request durations and PBKDF2 times are counted.
    ///   - metricsEndpoint: served at `/metrics` on this application, with the credential
    ///     failure reasons merged, only if `configuration.metricsOnAPIPort`; otherwise the API
    ///     port answers 404 there and metrics are read on their own listener
    ///     (``metricsApplication(endpoint:host:port:idleTimeout:logger:onListening:)``).
    ///   - onListening: called with the bound port once the server accepts connections.
    public static func application(
        configuration: ServerConfiguration, store: any AuthStorage, pool: HashingPool, logger: Logger,
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now, readiness: Readiness = Readiness(),
        metrics: AuthMetrics = .disabled, metricsEndpoint: MetricsEndpoint? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        GoTime.start()
        let refusals = RefusalAuditor(policy: configuration.refusalAudit, store: store, clock: clock, logger: logger)
        let authenticator = Authenticator(
            store: store, hasher: PasswordHasher(iterations: configuration.pbkdf2Iterations), pool: pool,
            policy: configuration.policy, refusals: refusals, throttle: configuration.throttle,
            logoutURL: configuration.logoutURL, clock: clock, metrics: metrics)
        let routes = AuthRoutes(
            authenticator: authenticator,
            addresses: ClientAddressResolver(trustedProxies: configuration.trustedProxies),
            readiness: readiness, writerStallLimit: configuration.writerStallLimit,
            metricsEndpoint: configuration.metricsOnAPIPort ? metricsEndpoint?.mergingCredentialFailures() : nil)
        let sweeper = SessionSweeper(
            store: store, policy: configuration.policy, throttle: configuration.throttle,
            interval: configuration.sweepInterval, logger: logger)
        return Application(
            router: routes.router(),
            server: hardenedHTTP1(idleTimeout: configuration.connectionIdleTimeout, logger: logger),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            // The application stops its services after its server, so the refusal sums are
            // written once every request has been answered.
            services: [sweeper, refusals],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// A second listener serving only `/metrics` (`--metrics-port`), so the metrics need not
    /// be reachable where the API is.
    /// Same connection limits as the API listener: a scraper port left open to a network
    /// must not be an easier target.
    public static func metricsApplication(
        endpoint: MetricsEndpoint, host: String, port: Int, idleTimeout: Duration, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: endpoint.router(),
            server: hardenedHTTP1(idleTimeout: idleTimeout, logger: logger),
            configuration: .init(
                address: .hostname(host, port: port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(metricsConnections, logger: logger)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Scrapers are few; the metrics port needs no more descriptors than this.
    static let metricsConnections = 32

    /// HTTP/1.1 that closes idle connections, answers requests NIO cannot parse with the
    /// contract's body instead of dropping them (``ParseErrorResponder``), and keeps HTTP/1.0
    /// and `Expect` semantics that Hummingbird's HTTP types lose (``HTTP1VersionHandler``).
    private static func hardenedHTTP1(idleTimeout: Duration, logger: Logger) -> HTTPServerBuilder {
        .http1(
            configuration: .init(
                additionalChannelHandlers: [HTTP1VersionHandler.Installer(), ParseErrorResponder(logger: logger)],
                idleTimeout: TimeAmount(idleTimeout)))
    }

    /// Runs `applications` until SIGTERM or SIGINT, then shuts down gracefully: `/healthz`
    /// turns 503 at once, everything else is served for `drainDelay`, then the listeners
    /// close and requests in flight finish.
    public static func run(
        _ applications: [any Service], readiness: Readiness, drainDelay: Duration, logger: Logger
    ) async throws {
        let gate = ShutdownGate(readiness: readiness, drainDelay: drainDelay, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: applications.map { .init(service: $0) } + [
                    // Last, so it is the first told to stop; its return is expected, not a failure.
                    .init(service: gate, successTerminationBehavior: .ignore)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
