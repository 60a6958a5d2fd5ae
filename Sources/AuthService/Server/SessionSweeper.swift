import AuthStore
import Logging
import ServiceLifecycle

/// Deletes expired sessions in the background, so the table holds live sessions only.
///
/// Expiry is enforced on every request regardless; this only reclaims space.
struct SessionSweeper: Service {
    let store: any AuthStorage
    let policy: SessionPolicy
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
                let removed = try await store.deleteExpiredSessions(policy: policy, at: .now())
                if removed > 0 { logger.debug("removed expired sessions", metadata: ["count": "\(removed)"]) }
            } catch {
                logger.error("session cleanup failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
