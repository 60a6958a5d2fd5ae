import ArgumentParser
import AuthService
import AuthStore
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `authd serve`: the HTTP API.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (login, logout, verify, health) until SIGINT or SIGTERM.")

    @Flag(
        name: .customLong("print-config"),
        help: "Print the effective configuration as TOML, with each value's source, and exit.")
    var printConfig = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var hashing: HashingOptions
    @Option(help: "Address to listen on (env AUTHD_HOST; default 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (env AUTHD_PORT; default 8080).")
    var port: String?
    @Option(
        name: .customLong("metrics-port"),
        help: "Serve /metrics on this port of --metrics-host (env AUTHD_METRICS_PORT; default: no metrics listener).")
    var metricsPort: String?
    @Option(
        name: .customLong("metrics-host"),
        help: "Address of the --metrics-port listener (env AUTHD_METRICS_HOST; default 127.0.0.1, whatever --host is).")
    var metricsHost: String?
    @Flag(
        name: .customLong("metrics-on-api-port"),
        help:
            "Also serve /metrics on the API port, with the login failure reasons merged into invalid_credentials (env AUTHD_METRICS_ON_API_PORT=true)."
    )
    var metricsOnAPIPort = false
    @Option(name: .customLong("token-ttl"), help: "Absolute session lifetime (env AUTHD_TOKEN_TTL; default 8h).")
    var tokenTTL: String?
    @Option(
        name: .customLong("idle-timeout"), help: "Idle session timeout, 0 = off (env AUTHD_IDLE_TIMEOUT; default 30m).")
    var idleTimeout: String?
    @Option(name: .customLong("logout-url"), help: "URL returned as urllink by Basic logout (env AUTHD_LOGOUT_URL).")
    var logoutURL: String?
    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "CIDR of a reverse proxy whose X-Forwarded-For is believed; repeatable (env AUTHD_TRUSTED_PROXY, comma-separated)."
    )
    var trustedProxy: [String] = []
    @Option(
        name: .customLong("throttle-user-limit"),
        help: "Failed logins allowed per username+address in the window (env AUTHD_THROTTLE_USER_LIMIT; default 5).")
    var throttleUserLimit: String?
    @Option(
        name: .customLong("throttle-address-limit"),
        help: "Failed logins allowed per address in the window (env AUTHD_THROTTLE_ADDRESS_LIMIT; default 50).")
    var throttleAddressLimit: String?
    @Option(
        name: .customLong("throttle-window"),
        help: "Sliding window for failed logins (env AUTHD_THROTTLE_WINDOW; default 5m).")
    var throttleWindow: String?
    @Option(
        name: .customLong("max-connections"),
        help:
            "Open API connections at most; more wait until one closes (env AUTHD_MAX_CONNECTIONS; default: the open-file limit minus 128)."
    )
    var maxConnections: String?
    @Option(
        name: .customLong("shutdown-delay"),
        help:
            "On SIGTERM, answer /healthz 503 this long before closing the listener (env AUTHD_SHUTDOWN_DELAY; default 0s)."
    )
    var shutdownDelay: String?
    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (env AUTHD_LOG_LEVEL; default info).")
    var logLevel: String?
    @Option(
        name: .customLong("log-format"), help: "text or json, one object per line (env AUTHD_LOG_FORMAT; default text)."
    )
    var logFormat: String?

    /// Every option a config file may set, in `--print-config` order. A new option is
    /// added here and resolved through `OptionLookup` like the others.
    static let fileOptions = [
        "db", "host", "port", "metrics-port", "metrics-host", "metrics-on-api-port", "pbkdf2-iterations", "token-ttl",
        "idle-timeout", "logout-url", "trusted-proxy", "throttle-user-limit", "throttle-address-limit",
        "throttle-window", "max-connections", "shutdown-delay", "log-level", "log-format",
    ]
    static let listOptions: Set<String> = ["trusted-proxy"]
    /// Options `--print-config` must not show (none today; a future secret goes here).
    static let secretOptions: Set<String> = []

    func run() async throws {
        let lookup = try database.lookup()
        let configuration = try serverConfiguration(lookup)
        let logger = try makeLogger(lookup)
        let databasePath = DatabaseOptions.printable(database.path(lookup))
        if printConfig {
            print(
                lookup.renderTOML(
                    order: Self.fileOptions, secret: Self.secretOptions, redacting: ["db": DatabaseOptions.printable]),
                terminator: "")
            return
        }
        let registry = PrometheusCollectorRegistry()
        let factory = AuthMetrics.prometheusFactory(registry: registry)
        // Also the global factory, so metrics of the libraries we use land in the same registry.
        MetricsSystem.bootstrap(factory)
        let metrics = AuthMetrics(factory: factory)
        let store = try await database.open(
            .create, observer: metrics.storeObserver, lookup: lookup, warn: { logger.warning("\($0)") })
        let pool = HashingPool()
        if try await store.userCount() == 0 {
            logger.warning("the database has no users yet; add one with: authd user add NAME --db \(databasePath)")
        }
        let readiness = Readiness()
        let endpoint = MetricsEndpoint(registry: registry, metrics: metrics, store: store, pool: pool)
        let host = configuration.host
        var applications: [any Service] = [
            AuthServer.application(
                configuration: configuration, store: store, pool: pool, logger: logger, readiness: readiness,
                metrics: metrics, metricsEndpoint: endpoint,
                onListening: { port in
                    logger.notice(
                        "authd \(AuthdVersion.current) listening on \(host):\(port), database \(databasePath)")
                })
        ]
        if configuration.metricsOnAPIPort {
            logger.notice("/metrics on the API port, login failure reasons merged (--metrics-on-api-port)")
        }
        if let metricsPort = configuration.metricsPort {
            let metricsHost = configuration.metricsHost
            applications.append(
                AuthServer.metricsApplication(
                    endpoint: endpoint, host: metricsHost, port: metricsPort,
                    idleTimeout: configuration.connectionIdleTimeout,
                    logger: logger,
                    onListening: { port in logger.notice("metrics on \(metricsHost):\(port)/metrics") }))
        }
        do {
            try await AuthServer.run(
                applications, readiness: readiness, drainDelay: configuration.shutdownDelay, logger: logger)
        } catch {
            await store.close()
            await pool.shutdown()
            throw CommandFailure("server stopped: \(error)")
        }
        // In-flight requests have finished; their writes are committed once close returns.
        await store.close()
        await pool.shutdown()
        logger.notice("authd stopped; database closed")
    }

    /// The lookup over flags, environment and, when `--config`/`AUTHD_CONFIG` names one, the file.
    func serverConfiguration(_ lookup: OptionLookup) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = lookup.value(host, "host", default: "127.0.0.1") ?? "127.0.0.1"
        configuration.port = try parsePort(lookup.value(port, "port", default: "8080"), "port", lookup) ?? 8080
        configuration.metricsPort = try parsePort(
            lookup.value(metricsPort, "metrics-port", default: nil), "metrics-port", lookup)
        configuration.metricsHost = lookup.value(metricsHost, "metrics-host", default: "127.0.0.1") ?? "127.0.0.1"
        let onAPIPort =
            lookup.value(metricsOnAPIPort ? "true" : nil, "metrics-on-api-port", default: "false") ?? "false"
        guard let metricsOnAPIPort = Bool(onAPIPort) else {
            throw CommandFailure(
                "invalid \(lookup.origin(of: "metrics-on-api-port")) \"\(onAPIPort)\": use true or false")
        }
        configuration.metricsOnAPIPort = metricsOnAPIPort
        let ttl = try duration(tokenTTL, "token-ttl", default: "8h", lookup)
        guard ttl > .zero else {
            throw CommandFailure("invalid \(lookup.origin(of: "token-ttl")): must be longer than 0")
        }
        let idleText = lookup.value(idleTimeout, "idle-timeout", default: "30m") ?? "30m"
        let idle = try duration(idleTimeout, "idle-timeout", default: "30m", lookup)
        let idleOrOff = idle == .zero ? nil : idle
        guard SessionPolicy.isAcceptableIdleTimeout(idleOrOff) else {
            throw CommandFailure(
                "invalid \(lookup.origin(of: "idle-timeout")) \"\(idleText)\": must be 0 (off) or at least \(SessionPolicy.minimumIdleTimeout.components.seconds)s, so that a session used within the timeout is never ended as idle"
            )
        }
        configuration.policy = SessionPolicy(lifetime: ttl, idleTimeout: idleOrOff)
        configuration.throttle = try throttlePolicy(lookup)
        configuration.shutdownDelay = try duration(shutdownDelay, "shutdown-delay", default: "0", lookup)
        configuration.maxConnections = try connectionCap(lookup)
        configuration.pbkdf2Iterations = try hashing.hasher(lookup).iterations
        configuration.logoutURL = lookup.value(logoutURL, "logout-url", default: "") ?? ""
        configuration.trustedProxies = try lookup.list(trustedProxy, "trusted-proxy").map { text in
            guard let cidr = CIDR(text.trimmingCharacters(in: .whitespaces)) else {
                throw CommandFailure(
                    "invalid \(lookup.origin(of: "trusted-proxy")) \"\(text)\": expected a CIDR like 10.0.0.0/8 or ::1/128"
                )
            }
            return cidr
        }
        return configuration
    }

    /// `--max-connections`, refused when it would let connections use up the descriptors
    /// the process needs for everything else.
    private func connectionCap(_ lookup: OptionLookup) throws -> Int {
        let fallback = ConnectionLimit.default()
        guard let text = lookup.value(maxConnections, "max-connections", default: String(fallback)) else {
            return fallback
        }
        guard let cap = Int(text), cap >= ConnectionLimit.minimum else {
            throw CommandFailure(
                "invalid \(lookup.origin(of: "max-connections")) \"\(text)\": must be a whole number of at least \(ConnectionLimit.minimum)"
            )
        }
        if let maximum = ConnectionLimit.maximum(), cap > maximum {
            throw CommandFailure(
                "invalid \(lookup.origin(of: "max-connections")) \"\(text)\": at most \(maximum) under the open-file limit of \(ConnectionLimit.openFileLimit() ?? 0) (\(ConnectionLimit.reserved) are kept for the database and logs); raise the limit (LimitNOFILE=) or lower the cap"
            )
        }
        return cap
    }

    private func parsePort(_ text: String?, _ option: String, _ lookup: OptionLookup) throws -> Int? {
        guard let text else { return nil }
        guard let port = Int(text), (0...65535).contains(port) else {
            throw CommandFailure("invalid \(lookup.origin(of: option)) \"\(text)\": must be 0 to 65535")
        }
        return port
    }

    private func duration(_ flag: String?, _ option: String, default fallback: String, _ lookup: OptionLookup) throws
        -> Duration
    {
        let text = lookup.value(flag, option, default: fallback) ?? fallback
        return try DurationParser.require(text, option: lookup.origin(of: option))
    }

    func throttlePolicy(_ lookup: OptionLookup) throws -> ThrottlePolicy {
        func limit(_ flag: String?, _ option: String, _ fallback: Int) throws -> Int {
            let text = lookup.value(flag, option, default: String(fallback)) ?? String(fallback)
            guard let value = Int(text), value >= 1 else {
                throw CommandFailure(
                    "invalid \(lookup.origin(of: option)) \"\(text)\": must be a whole number of at least 1")
            }
            return value
        }
        let defaults = ThrottlePolicy()
        let window = try duration(throttleWindow, "throttle-window", default: "5m", lookup)
        guard window > .zero else {
            throw CommandFailure("invalid \(lookup.origin(of: "throttle-window")): must be longer than 0")
        }
        return ThrottlePolicy(
            perUserAndAddress: try limit(throttleUserLimit, "throttle-user-limit", defaults.perUserAndAddress),
            perAddress: try limit(throttleAddressLimit, "throttle-address-limit", defaults.perAddress),
            window: window)
    }

    func makeLogger(_ lookup: OptionLookup) throws -> Logger {
        let levelText = lookup.value(logLevel, "log-level", default: "info") ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw CommandFailure(
                "invalid \(lookup.origin(of: "log-level")) \"\(levelText)\": use trace, debug, info, notice, warning, error or critical"
            )
        }
        let format = lookup.value(logFormat, "log-format", default: "text") ?? "text"
        var logger: Logger
        switch format {
        case "text": logger = Logger(label: "authd") { StreamLogHandler.standardError(label: $0) }
        case "json": logger = Logger(label: "authd") { JSONLogHandler(label: $0) }
        default: throw CommandFailure("invalid \(lookup.origin(of: "log-format")) \"\(format)\": use text or json")
        }
        logger.logLevel = level
        return logger
    }
}
