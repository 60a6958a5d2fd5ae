import AuthStore

/// Everything `authd serve` is told.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 asks the kernel for a free port (tests); the chosen one is logged.
    public var port = 8080
    /// A separate listener for `/metrics`; nil: none.
    public var metricsPort: Int?
    /// Address of the `/metrics` listener. Not `host`: an API opened to a network must not
    /// open the metrics to it too.
    public var metricsHost = "127.0.0.1"
    /// Also serve `/metrics` on the API port, where anyone who can log in can read it; the
    /// failure reasons that tell usernames apart are merged there
    /// (``MetricsEndpoint/mergingCredentialFailures()``). Off unless the operator asks.
    public var metricsOnAPIPort = false
    public var policy = SessionPolicy()
    public var throttle = ThrottlePolicy()
    /// Bounds on the audit rows of refusals that checked no secret.
    public var refusalAudit = RefusalAuditPolicy()
    public var pbkdf2Iterations = PasswordHasher.defaultIterations
    public var logoutURL = ""
    public var trustedProxies: [CIDR] = []
    /// Connections idle longer than this are closed, so slow clients cannot hold sockets.
    public var connectionIdleTimeout: Duration = .seconds(60)
    /// Open API connections at most; past it the listener stops accepting (new ones wait in
    /// the kernel's backlog) until one closes. Kept below the open-file limit, so the
    /// process never runs out of descriptors for its database or its answers.
    public var maxConnections = ConnectionLimit.default()
    /// On SIGTERM/SIGINT, how long `/healthz` answers 503 while everything else is still
    /// served, before the listener closes (time for a load balancer to notice).
    public var shutdownDelay: Duration = .zero
    /// How often expired sessions and failure counters are deleted.
    public var sweepInterval: Duration = .seconds(300)
    /// `/healthz` answers 503 once a write has waited this long for the database writer:
    /// the writer is stuck, and logins are hanging. As long as SQLite's busy timeout, so a
    /// write waiting out another process's lock counts as stuck just before it fails.
    public var writerStallLimit: Duration = .seconds(5)

    public init() {}
}
