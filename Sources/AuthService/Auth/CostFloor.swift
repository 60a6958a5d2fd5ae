import AuthStore
import Synchronization

/// Makes every password check cost as much as one against the costliest stored hash, so
/// the time of an answer never tells which usernames exist (docs/api.md "Passwords").
///
/// A known user is checked at the cost their stored hash records (a hash from before the
/// operator changed `--pbkdf2-iterations`), which may be more or less than the configured
/// cost. So every check spends the floor: the highest cost of any stored hash, never below
/// the configured one. An unknown user's dummy check runs at the floor; a check of a
/// cheaper hash is followed, on the same hashing thread, by dummy work for the rest.
///
/// The padding is work, not a wait. A wait scaled from the check's own time was measured
/// (BENCHMARKS.md) and missed by 10–20 %: on this kind of machine a short PBKDF2 run costs
/// more per iteration than a long one, so only running the same number of iterations,
/// back to back, takes the same time. The price is CPU: while a costlier hash is stored,
/// every login costs that much. A successful login replaces such a hash with one at the
/// configured cost, so the floor comes down as those users log in.
///
/// Imported hashes of other schemes (bcrypt, argon2…) cannot be padded with PBKDF2
/// iterations; every check spends one check of each such scheme present instead
/// (``CheckCost``).
///
/// The floor comes from the store (``AuthStorage/maxPasswordIterations()`` and
/// ``AuthStorage/importedPasswordHashes()``), read again at most once per
/// `refreshInterval`, so a costlier user added by the CLI while the server
/// runs is covered within that interval, and rehashed users let the floor come down. A
/// check that meets a hash costlier than the floor raises it at once.
public final class CostFloor: Sendable {
    /// The configured PBKDF2 cost: the floor's lower bound.
    let configuredCost: Int
    let refreshInterval: Duration
    private let state = Mutex(State())

    private struct State {
        var storedMaximum = 0
        var raised = 0
        var imported = CostliestHashes()
        var refreshedAt: ContinuousClock.Instant?
    }

    public init(configuredCost: Int, refreshInterval: Duration = .seconds(60)) {
        self.configuredCost = configuredCost
        self.refreshInterval = refreshInterval
    }

    /// The cost every check spends now, reading the store when the last read is stale.
    func current(from store: any AuthStorage) async throws -> CheckCost {
        let now = ContinuousClock.now
        let stale = state.withLock { state in
            state.refreshedAt.map { now - $0 >= refreshInterval } ?? true
        }
        if stale {
            let stored = try await store.maxPasswordIterations() ?? 0
            var imported = CostliestHashes()
            for text in try await store.importedPasswordHashes() {
                if let hash = try? PasswordHash(parsing: text) { imported.include(hash) }
            }
            state.withLock { state in
                state.storedMaximum = stored
                state.raised = 0
                state.imported = imported
                state.refreshedAt = now
            }
        }
        return state.withLock {
            CheckCost(iterations: max(configuredCost, $0.storedMaximum, $0.raised), imported: $0.imported)
        }
    }

    /// Records that a check met a hash of `cost` iterations, or an imported hash, raising
    /// the floor when it is above it (a user imported since the last read).
    func met(cost: Int, imported: PasswordHash? = nil) {
        state.withLock { state in
            state.raised = max(state.raised, cost)
            if let imported { state.imported.include(imported) }
        }
    }

    /// Dummy iterations to spend after checking a hash of `cost`, so the check costs `floor`.
    static func padding(cost: Int, floor: Int) -> Int {
        max(0, floor - cost)
    }
}
