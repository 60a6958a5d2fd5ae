import AuthStore
import Hummingbird
import Logging
import NIOCore

/// Builds the HTTP server around a store: the application `authd serve` runs and the
/// tests drive.
public enum AuthServer {
    /// The application: routes, middleware, the session sweeper.
    ///
    /// - Parameters:
    ///   - onListening: called with the bound port once the server accepts connections.
    public static func application(
        configuration: ServerConfiguration, store: any AuthStorage, pool: HashingPool, logger: Logger,
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        GoTime.start()
        let authenticator = Authenticator(
            store: store, hasher: PasswordHasher(iterations: configuration.pbkdf2Iterations), pool: pool,
            policy: configuration.policy, throttle: configuration.throttle, logoutURL: configuration.logoutURL,
            clock: clock)
        let routes = AuthRoutes(
            authenticator: authenticator, addresses: ClientAddressResolver(trustedProxies: configuration.trustedProxies))
        let sweeper = SessionSweeper(
            store: store, policy: configuration.policy, throttle: configuration.throttle,
            interval: configuration.sweepInterval, logger: logger)
        return Application(
            router: routes.router(),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [ParseErrorResponder(logger: logger)],
                idleTimeout: TimeAmount(configuration.connectionIdleTimeout))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [sweeper],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
