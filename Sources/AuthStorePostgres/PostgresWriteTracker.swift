import AuthStore
import Synchronization

/// What `/healthz` needs to know about this replica's writes: the oldest one still in
/// flight, and whether the last one failed. A PostgreSQL server that answers `SELECT 1`
/// can still refuse every commit (a full disk, a read-only standby after a failover).
final class PostgresWriteTracker: Sendable {
    private struct State {
        var nextID = 0
        var inFlight: [Int: ContinuousClock.Instant] = [:]
        var failure: String?
    }

    private let state = Mutex(State())

    /// Runs `body` as one tracked write.
    func track<T>(_ body: () async throws -> T) async throws -> T {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            state.inFlight[state.nextID] = .now
            return state.nextID
        }
        do {
            let result = try await body()
            state.withLock { state in
                state.inFlight[id] = nil
                state.failure = nil
            }
            return result
        } catch let error as StoreError where error.code == .database {
            state.withLock { state in
                state.inFlight[id] = nil
                state.failure = error.description
            }
            throw error
        } catch {
            // A refusal (no such user, …) is the database working as it should.
            state.withLock { state in state.inFlight[id] = nil }
            throw error
        }
    }

    var health: WriterHealth {
        state.withLock { WriterHealth(oldestWriteQueuedAt: $0.inFlight.values.min(), failure: $0.failure) }
    }
}
