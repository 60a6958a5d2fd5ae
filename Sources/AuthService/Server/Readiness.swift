import Logging
import ServiceLifecycle
import Synchronization

/// Whether this instance should be sent new traffic; `/healthz` answers 503 once it is not.
///
/// A load balancer or orchestrator polls `/healthz`; flipping it to 503 as soon as shutdown
/// begins, while the server still serves, lets them route new clients elsewhere before the
/// listener closes.
public final class Readiness: Sendable {
    private let shuttingDown = Atomic<Bool>(false)

    public init() {}

    public var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    public func beginShutdown() {
        shuttingDown.store(true, ordering: .relaxed)
    }
}

/// The first service to hear SIGTERM/SIGINT: marks the instance not ready, waits
/// `drainDelay` while everything keeps being served, then lets the HTTP server stop
/// accepting and finish requests in flight.
///
/// ServiceGroup shuts services down in reverse order, one after another, so this service
/// must come after the application in the group (see `AuthServer.run`).
struct ShutdownGate: Service {
    let readiness: Readiness
    let drainDelay: Duration
    let logger: Logger

    func run() async throws {
        // Returns when graceful shutdown begins; throws if the group is cancelled instead.
        try await gracefulShutdown()
        readiness.beginShutdown()
        logger.notice("shutting down: /healthz answers 503; draining for \(drainDelay)")
        if drainDelay > .zero {
            try? await Task.sleep(for: drainDelay)
        }
    }
}
