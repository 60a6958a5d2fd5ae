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

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var hashing: HashingOptions
    @Option(help: "Address to listen on (env AUTHD_HOST; default 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (env AUTHD_PORT; default 8080).")
    var port: String?
    @Option(name: .customLong("metrics-port"), help: "Serve /metrics on this port of --host instead of the API port (env AUTHD_METRICS_PORT).")
    var metricsPort: String?
    @Option(name: .customLong("token-ttl"), help: "Absolute session lifetime (env AUTHD_TOKEN_TTL; default 8h).")
    var tokenTTL: String?
    @Option(name: .customLong("idle-timeout"), help: "Idle session timeout, 0 = off (env AUTHD_IDLE_TIMEOUT; default 30m).")
    var idleTimeout: String?
    @Option(name: .customLong("logout-url"), help: "URL returned as urllink by Basic logout (env AUTHD_LOGOUT_URL).")
    var logoutURL: String?
    @Option(name: .customLong("trusted-proxy"), help: "CIDR of a reverse proxy whose X-Forwarded-For is believed; repeatable (env AUTHD_TRUSTED_PROXY, comma-separated).")
    var trustedProxy: [String] = []
    @Option(name: .customLong("throttle-user-limit"), help: "Failed logins allowed per username+address in the window (env AUTHD_THROTTLE_USER_LIMIT; default 5).")
    var throttleUserLimit: String?
    @Option(name: .customLong("throttle-address-limit"), help: "Failed logins allowed per address in the window (env AUTHD_THROTTLE_ADDRESS_LIMIT; default 50).")
    var throttleAddressLimit: String?
    @Option(name: .customLong("throttle-window"), help: "Sliding window for failed logins (env AUTHD_THROTTLE_WINDOW; default 5m).")
    var throttleWindow: String?
    @Option(name: .customLong("shutdown-delay"), help: "On SIGTERM, answer /healthz 503 this long before closing the listener (env AUTHD_SHUTDOWN_DELAY; default 0s).")
    var shutdownDelay: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env AUTHD_LOG_LEVEL; default info).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text or json, one object per line (env AUTHD_LOG_FORMAT; default text).")
    var logFormat: String?

    func run() async throws {
        let configuration = try serverConfiguration()
        let logger = try makeLogger()
        let registry = PrometheusCollectorRegistry()
        let factory = AuthMetrics.prometheusFactory(registry: registry)
        // Also the global factory, so metrics of the libraries we use land in the same registry.
        MetricsSystem.bootstrap(factory)
        let metrics = AuthMetrics(factory: factory)
        let store = try database.open(observer: metrics.storeObserver)
        let pool = HashingPool()
        if try await store.userCount() == 0 {
            logger.warning("the database has no users yet; add one with: authd user add NAME --db \(database.path)")
        }
        let readiness = Readiness()
        let endpoint = MetricsEndpoint(registry: registry, metrics: metrics, store: store, pool: pool)
        let host = configuration.host
        var applications: [any Service] = [
            AuthServer.application(
                configuration: configuration, store: store, pool: pool, logger: logger, readiness: readiness,
                metrics: metrics, metricsEndpoint: configuration.metricsPort == nil ? endpoint : nil,
                onListening: { port in logger.notice("authd \(AuthdVersion.current) listening on \(host):\(port), database \(database.path)") })
        ]
        if let metricsPort = configuration.metricsPort {
            applications.append(AuthServer.metricsApplication(
                endpoint: endpoint, host: host, port: metricsPort, logger: logger,
                onListening: { port in logger.notice("metrics on \(host):\(port)/metrics") }))
        }
        do {
            try await AuthServer.run(applications, readiness: readiness, drainDelay: configuration.shutdownDelay, logger: logger)
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

    func serverConfiguration() throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = Environment.resolve(host, "AUTHD_HOST", default: "127.0.0.1")
        let portText = Environment.resolve(port, "AUTHD_PORT", default: "8080")
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw CommandFailure("invalid --port \"\(portText)\": must be 0 to 65535")
        }
        configuration.port = port
        if let text = metricsPort ?? Environment.value("AUTHD_METRICS_PORT") {
            guard let metricsPort = Int(text), (0...65535).contains(metricsPort) else {
                throw CommandFailure("invalid --metrics-port \"\(text)\": must be 0 to 65535")
            }
            configuration.metricsPort = metricsPort
        }
        let ttl = try DurationParser.require(Environment.resolve(tokenTTL, "AUTHD_TOKEN_TTL", default: "8h"), option: "--token-ttl")
        guard ttl > .zero else { throw CommandFailure("invalid --token-ttl: must be longer than 0") }
        let idle = try DurationParser.require(Environment.resolve(idleTimeout, "AUTHD_IDLE_TIMEOUT", default: "30m"), option: "--idle-timeout")
        configuration.policy = SessionPolicy(lifetime: ttl, idleTimeout: idle == .zero ? nil : idle)
        configuration.throttle = try throttlePolicy()
        configuration.shutdownDelay = try DurationParser.require(
            Environment.resolve(shutdownDelay, "AUTHD_SHUTDOWN_DELAY", default: "0"), option: "--shutdown-delay")
        configuration.pbkdf2Iterations = try hashing.hasher().iterations
        configuration.logoutURL = Environment.resolve(logoutURL, "AUTHD_LOGOUT_URL", default: "")
        let proxies = trustedProxy.isEmpty
            ? (Environment.value("AUTHD_TRUSTED_PROXY")?.split(separator: ",").map(String.init) ?? []) : trustedProxy
        configuration.trustedProxies = try proxies.map { text in
            guard let cidr = CIDR(text.trimmingCharacters(in: .whitespaces)) else {
                throw CommandFailure("invalid --trusted-proxy \"\(text)\": expected a CIDR like 10.0.0.0/8 or ::1/128")
            }
            return cidr
        }
        return configuration
    }

    func throttlePolicy() throws -> ThrottlePolicy {
        func limit(_ flag: String?, _ variable: String, _ option: String, _ fallback: Int) throws -> Int {
            let text = Environment.resolve(flag, variable, default: String(fallback))
            guard let value = Int(text), value >= 1 else {
                throw CommandFailure("invalid \(option) \"\(text)\": must be a whole number of at least 1")
            }
            return value
        }
        let defaults = ThrottlePolicy()
        let window = try DurationParser.require(
            Environment.resolve(throttleWindow, "AUTHD_THROTTLE_WINDOW", default: "5m"), option: "--throttle-window")
        guard window > .zero else { throw CommandFailure("invalid --throttle-window: must be longer than 0") }
        return ThrottlePolicy(
            perUserAndAddress: try limit(throttleUserLimit, "AUTHD_THROTTLE_USER_LIMIT", "--throttle-user-limit",
                                         defaults.perUserAndAddress),
            perAddress: try limit(throttleAddressLimit, "AUTHD_THROTTLE_ADDRESS_LIMIT", "--throttle-address-limit",
                                  defaults.perAddress),
            window: window)
    }

    func makeLogger() throws -> Logger {
        let levelText = Environment.resolve(logLevel, "AUTHD_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: levelText) else {
            throw CommandFailure("invalid --log-level \"\(levelText)\": use trace, debug, info, notice, warning, error or critical")
        }
        let format = Environment.resolve(logFormat, "AUTHD_LOG_FORMAT", default: "text")
        var logger: Logger
        switch format {
        case "text": logger = Logger(label: "authd") { StreamLogHandler.standardError(label: $0) }
        case "json": logger = Logger(label: "authd") { JSONLogHandler(label: $0) }
        default: throw CommandFailure("invalid --log-format \"\(format)\": use text or json")
        }
        logger.logLevel = level
        return logger
    }
}
