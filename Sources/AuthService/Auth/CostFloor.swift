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
/// The floor comes from the store (``UserStore/maxPasswordIterations()`` and
/// ``UserStore/importedPasswordHashes()``), read again at most once per
/// `refreshInterval`, so a costlier user added by the CLI while the server
/// runs is covered within that interval, and rehashed users let the floor come down. A
/// check that meets a hash costlier than the floor raises it at once.
///
/// One read at a time: the login that finds the floor stale reads the store and waits for
/// it, while logins meanwhile go on with the floor they have (with many imported users the
/// read is long, and a read per concurrent login would multiply it). Only before the first
/// read has finished does every login wait for it. What checks meet during a read is kept
/// when the read lands, since the read may have begun before that hash was stored.
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
        /// The store read under way, if any.
        var reading: Task<Void, any Error>?
        /// What checks met since that read began, which its result may not include.
        var raisedDuringRead = 0
        var importedDuringRead = CostliestHashes()
    }

    public init(configuredCost: Int, refreshInterval: Duration = .seconds(60)) {
        self.configuredCost = configuredCost
        self.refreshInterval = refreshInterval
    }

    /// The cost every check spends now. When the last read is stale and no read is under
    /// way, reads the store and waits for it; otherwise waits only while no read has ever
    /// finished.
    func current(from store: any UserStore) async throws -> CheckCost {
        let now = ContinuousClock.now
        let wait = state.withLock { state -> Task<Void, any Error>? in
            if state.reading == nil, state.refreshedAt.map({ now - $0 >= refreshInterval }) ?? true {
                state.raisedDuringRead = 0
                state.importedDuringRead = CostliestHashes()
                let reading = Task { try await self.read(from: store, at: now) }
                state.reading = reading
                return reading
            }
            return state.refreshedAt == nil ? state.reading : nil
        }
        try await wait?.value
        return state.withLock {
            CheckCost(iterations: max(configuredCost, $0.storedMaximum, $0.raised), imported: $0.imported)
        }
    }

    /// Reads the costliest stored hashes and makes them the floor, with what checks met
    /// while the read ran. A read that fails leaves the floor as it was, still stale.
    private func read(from store: any UserStore, at now: ContinuousClock.Instant) async throws {
        do {
            let stored = try await store.maxPasswordIterations() ?? 0
            var imported = CostliestHashes()
            for text in try await store.importedPasswordHashes() {
                if let hash = try? PasswordHash(parsing: text) { imported.include(hash) }
            }
            state.withLock { state in
                for (_, hash) in state.importedDuringRead.sorted { imported.include(hash) }
                state.storedMaximum = stored
                state.raised = state.raisedDuringRead
                state.imported = imported
                state.refreshedAt = now
                state.reading = nil
            }
        } catch {
            state.withLock { $0.reading = nil }
            throw error
        }
    }

    /// Records that a check met a hash of `cost` iterations, or an imported hash, raising
    /// the floor when it is above it (a user imported since the last read).
    func met(cost: Int, imported: PasswordHash? = nil) {
        state.withLock { state in
            state.raised = max(state.raised, cost)
            if let imported { state.imported.include(imported) }
            guard state.reading != nil else { return }
            state.raisedDuringRead = max(state.raisedDuringRead, cost)
            if let imported { state.importedDuringRead.include(imported) }
        }
    }

    /// Dummy iterations to spend after checking a hash of `cost`, so the check costs `floor`.
    static func padding(cost: Int, floor: Int) -> Int {
        max(0, floor - cost)
    }
}
