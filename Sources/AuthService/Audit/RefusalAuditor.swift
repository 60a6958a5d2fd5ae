import AuthStore
import Logging
import ServiceLifecycle

/// Writes the audit rows of refused requests that checked no secret, within the bounds of
/// a ``RefusalLimiter``, and as a service writes the window sums: when each window ends,
/// and a last time at shutdown, after the HTTP server has finished its requests (the
/// application stops its services after its server).
public struct RefusalAuditor: Service {
    let limiter: RefusalLimiter
    let store: any AuthStorage
    let clock: @Sendable () -> Timestamp
    let logger: Logger

    public init(
        policy: RefusalAuditPolicy, store: any AuthStorage, clock: @escaping @Sendable () -> Timestamp = Timestamp.now,
        logger: Logger
    ) {
        self.limiter = RefusalLimiter(policy: policy)
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Audits one refusal: a row of its own, or a count in its kind's sum.
    func record(_ entry: AuditEntry) async throws {
        let now = clock()
        if limiter.admit(entry, at: now) {
            try await store.recordAudit(entry, at: now)
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: limiter.policy.window) }
            } catch {
                break
            }
            await writeSummaries(final: false)
        }
        await writeSummaries(final: true)
    }

    /// Writes the sums of ended windows (all of them when `final`).
    func writeSummaries(final: Bool) async {
        let now = clock()
        for entry in limiter.takeSummaries(at: now, final: final) {
            do {
                try await store.recordAudit(entry, at: now)
            } catch {
                logger.error(
                    "could not write an audit sum",
                    metadata: [
                        "event": "\(entry.event.rawValue)", "reason": "\(entry.reason?.rawValue ?? "")",
                        "count": "\(entry.count)", "error": "\(error)",
                    ])
            }
        }
    }
}
