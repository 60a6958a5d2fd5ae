import AuthStore
import Logging
import Synchronization
import Testing

@testable import AuthService

/// Equal timing whatever the stored hash's cost: every check is padded to the costliest
/// stored hash. The padding is observed through the injected pause, never by measuring
/// time here; `bench/equal-cost` measures the times themselves.
@Suite struct EqualTimingTests {
    static let configured = 2_000

    @Test func paddingScalesTheCheckItselfToTheFloor() {
        #expect(EqualTiming.padding(elapsed: .milliseconds(10), cost: 1_000, floor: 10_000) == .milliseconds(90))
        #expect(EqualTiming.padding(elapsed: .milliseconds(10), cost: 10_000, floor: 10_000) == .zero)
        #expect(EqualTiming.padding(elapsed: .milliseconds(10), cost: 20_000, floor: 10_000) == .zero)
    }

    /// Records every pause, labelled by the attempt that caused it.
    final class Pauses: Sendable {
        private let recorded = Mutex<[Duration]>([])
        /// The pauses so far, forgetting them.
        func take() -> [Duration] {
            recorded.withLock { pauses in
                let taken = pauses
                pauses = []
                return taken
            }
        }
        func add(_ duration: Duration) { recorded.withLock { $0.append(duration) } }
    }

    @Test func everyCheckBelowTheCostliestStoredHashIsPaddedToIt() async throws {
        let app = try await TestApp(users: [], iterations: Self.configured)
        let store = app.store
        for (name, cost) in [("alice", Self.configured), ("dear", Self.configured * 10), ("cheap", Self.configured / 10)] {
            try await store.addUser(
                name: name, passwordHash: PasswordHasher(iterations: cost).hash("pw"), at: app.clock.now,
                context: .commandLine)
        }
        try await store.addUser(
            name: "dora", passwordHash: PasswordHasher(iterations: Self.configured).hash("pw"), at: app.clock.now,
            context: .commandLine)
        try await store.setDisabled(name: "dora", true, at: app.clock.now, context: .commandLine)
        let pauses = Pauses()
        let authenticator = Authenticator(
            store: store, hasher: PasswordHasher(iterations: Self.configured), pool: app.pool, policy: SessionPolicy(),
            refusals: RefusalAuditor(policy: RefusalAuditPolicy(), store: store, logger: Logger(label: "test")),
            throttle: ThrottlePolicy(perUserAndAddress: 100, perAddress: 100),
            timing: EqualTiming(configuredCost: Self.configured, refreshInterval: .zero) { pauses.add($0) })
        let context = AuditContext(address: "192.0.2.1")

        func attempt(_ name: String, _ password: String) async throws -> [Duration] {
            await #expect(throws: AuthFailure.invalidCredentials) {
                _ = try await authenticator.login(username: name, password: password, context: context)
            }
            return pauses.take()
        }
        // The costliest hash is checked unpadded; everything else waits up to it.
        #expect(try await attempt("dear", "wrong") == [])
        for (name, password) in [("nobody", "pw"), ("alice", "wrong"), ("cheap", "wrong"), ("dora", "pw")] {
            let padded = try await attempt(name, password)
            #expect(padded.count == 1 && padded[0] > .zero, "\(name): \(padded)")
        }
        // A successful login is padded too, and rehashes "dear" down to the configured cost,
        // after which nothing stored is costlier than the configured cost and nothing is padded.
        _ = try await authenticator.login(username: "dear", password: "pw", context: context)
        #expect(pauses.take() == [])
        _ = try await authenticator.login(username: "cheap", password: "pw", context: context)
        #expect(pauses.take().count == 1)
        #expect(try await store.maxPasswordIterations() == Self.configured)
        #expect(try await attempt("nobody", "pw") == [])
        await app.close()
    }
}
