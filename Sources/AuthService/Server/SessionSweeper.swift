import AuthStore
import Logging
import ServiceLifecycle

/// Deletes expired sessions and old failure counters in the background, so both tables
/// stay bounded.
///
/// Expiry and the throttle window are enforced on every request regardless; this only
/// reclaims space.
struct SessionSweeper: Service {
    let store: any AuthStorage
    let policy: SessionPolicy
    let throttle: ThrottlePolicy
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let sessions = try await store.deleteExpiredSessions(policy: policy, at: .now())
                let failures = try await store.deleteExpiredFailures(policy: throttle, at: .now())
                logger.debug("cleanup", metadata: ["sessions": "\(sessions)", "failures": "\(failures)"])
            } catch {
                logger.error("session cleanup failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
