import AuthStore
import Logging
import Testing

@testable import AuthService

/// Every password check costs what the costliest stored hash costs. What that costs in time
/// is measured by `bench/equal-cost`; here the cost itself is checked.
@Suite struct CostFloorTests {
    static let configured = 2_000

    @Test func paddingMakesUpTheRestOfTheFloor() {
        #expect(CostFloor.padding(cost: 200, floor: 20_000) == 19_800)
        #expect(CostFloor.padding(cost: 0, floor: 20_000) == 20_000, "an unknown user: all of it as dummy work")
        #expect(CostFloor.padding(cost: 20_000, floor: 20_000) == 0)
        #expect(CostFloor.padding(cost: 30_000, floor: 20_000) == 0)
    }

    @Test func theFloorIsTheCostliestStoredHashAndComesDownAfterItsRehash() async throws {
        let app = try await TestApp(users: [], iterations: Self.configured)
        let store = app.store
        let floor = CostFloor(configuredCost: Self.configured, refreshInterval: .zero)
        #expect(try await floor.current(from: store).iterations == Self.configured, "no users: the configured cost")
        for (name, cost) in [
            ("alice", Self.configured), ("dear", Self.configured * 10), ("cheap", Self.configured / 10),
        ] {
            try await store.addUser(
                name: name, passwordHash: PasswordHasher(iterations: cost).hash("pw"), at: app.clock.now,
                context: .commandLine)
        }
        #expect(try await floor.current(from: store).iterations == Self.configured * 10)

        let authenticator = Authenticator(
            store: store, hasher: PasswordHasher(iterations: Self.configured), pool: app.pool, policy: SessionPolicy(),
            refusals: RefusalAuditor(policy: RefusalAuditPolicy(), store: store, logger: Logger(label: "test")),
            costFloor: floor)
        let context = AuditContext(address: "192.0.2.1")
        // Wrong passwords change nothing; successful logins rehash both odd costs to the configured one.
        for name in ["dear", "cheap", "nobody"] {
            await #expect(throws: AuthFailure.invalidCredentials) {
                _ = try await authenticator.login(username: name, password: "wrong", context: context)
            }
        }
        #expect(try await floor.current(from: store).iterations == Self.configured * 10)
        for name in ["dear", "cheap"] {
            _ = try await authenticator.login(username: name, password: "pw", context: context)
        }
        #expect(try await store.maxPasswordIterations() == Self.configured)
        #expect(try await floor.current(from: store).iterations == Self.configured)
        await app.close()
    }

    @Test func aCostlierHashMetRaisesTheFloorBeforeTheNextRead() async throws {
        let app = try await TestApp(users: [], iterations: Self.configured)
        let floor = CostFloor(configuredCost: Self.configured, refreshInterval: .seconds(3600))
        #expect(try await floor.current(from: app.store).iterations == Self.configured)
        floor.met(cost: Self.configured * 5)
        #expect(try await floor.current(from: app.store).iterations == Self.configured * 5)
        await app.close()
    }

    /// With many imported users the read is long: logins during it must not each start
    /// another, and what they meet must outlast it.
    @Test func oneReadAtATimeAndWhatIsMetDuringItIsKept() async throws {
        let app = try await TestApp(users: [], iterations: Self.configured)
        try await app.store.addUser(
            name: "dear", passwordHash: PasswordHasher(iterations: Self.configured * 2).hash("pw"), at: app.clock.now,
            context: .commandLine)
        let store = GatedUserStore(app.store)
        var readsBegun = store.readsBegun.makeAsyncIterator()
        let floor = CostFloor(configuredCost: Self.configured, refreshInterval: .zero)
        #expect(try await floor.current(from: store).iterations == Self.configured * 2)
        await readsBegun.next()

        store.holdNextRead()
        async let stale = floor.current(from: store)
        await readsBegun.next()
        // A read is under way (held): another login goes on with the floor it has.
        #expect(try await floor.current(from: store).iterations == Self.configured * 2)
        #expect(store.reads == 2, "no second read while one is under way")
        // A check meets a costlier hash (a user imported after the held read began).
        floor.met(cost: Self.configured * 5)
        store.release()
        #expect(try await stale.iterations == Self.configured * 5, "the read landed without undoing the raise")
        await app.close()
    }
}
