import AuthStore
import Synchronization

/// Makes every password check last as long as one against the costliest stored hash, so
/// the time of an answer never tells which usernames exist (API.md "Passwords").
///
/// An unknown user is checked by a dummy run at the configured cost, a known one at the
/// cost its stored hash records (a hash from before the operator changed the cost, or
/// one imported from elsewhere). The floor is the highest cost of any stored hash, and
/// never below the configured one. A check of cost `c` that took `t` is followed by a wait
/// of `t × (floor − c) / c`: the check's own measured time, scaled, rather than a
/// duration calibrated once at start, so the padding stays right when a loaded machine
/// makes every run slower. The wait is a timer, not work on the hashing threads.
///
/// The floor comes from the store (``AuthStorage/maxPasswordIterations()``), read again at
/// most once per `refreshInterval`, so a costlier user added by the CLI while the server
/// runs is covered within that interval, and rehashed users let the floor come down. A
/// check that meets a hash costlier than the floor raises it at once.
public final class EqualTiming: Sendable {
    /// The configured PBKDF2 cost: the dummy check's, and the floor's lower bound.
    let configuredCost: Int
    let refreshInterval: Duration
    /// Waits for a duration; injected so tests can see the padding without measuring time.
    let pause: @Sendable (Duration) async -> Void
    private let state = Mutex(State())

    private struct State {
        var storedMaximum = 0
        var raised = 0
        var refreshedAt: ContinuousClock.Instant?
    }

    public init(
        configuredCost: Int, refreshInterval: Duration = .seconds(60),
        pause: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0, tolerance: .zero) }
    ) {
        self.configuredCost = configuredCost
        self.refreshInterval = refreshInterval
        self.pause = pause
    }

    /// The cost every check is padded to now, reading the store when the last read is stale.
    func floor(from store: any AuthStorage) async throws -> Int {
        let now = ContinuousClock.now
        let stale = state.withLock { state in
            state.refreshedAt.map { now - $0 >= refreshInterval } ?? true
        }
        if stale {
            let stored = try await store.maxPasswordIterations() ?? 0
            state.withLock { state in
                state.storedMaximum = stored
                state.raised = 0
                state.refreshedAt = now
            }
        }
        return state.withLock { max(configuredCost, $0.storedMaximum, $0.raised) }
    }

    /// Waits out the difference between a check of `cost` that took `elapsed` and one at the
    /// floor; raises the floor first when `cost` is above it.
    func pad(elapsed: Duration, cost: Int, floor: Int) async {
        let floor = state.withLock { state in
            state.raised = max(state.raised, cost)
            return max(floor, cost)
        }
        let padding = Self.padding(elapsed: elapsed, cost: cost, floor: floor)
        if padding > .zero { await pause(padding) }
    }

    /// `elapsed × (floor − cost) / cost`: what a check of `cost` lacks to last as long as
    /// one at `floor`, time being proportional to cost.
    static func padding(elapsed: Duration, cost: Int, floor: Int) -> Duration {
        guard cost > 0, floor > cost else { return .zero }
        return elapsed * (Double(floor - cost) / Double(cost))
    }
}
