import Testing

@testable import AuthStore

@Suite struct PasswordCostTests {
    @Test(arguments: Engine.all) func maxPasswordIterationsReadsTheCostliestStoredHash(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            #expect(try await store.maxPasswordIterations() == nil)
            let cheap = PasswordHasher(iterations: 1_000).hash("a")
            let dear = PasswordHasher(iterations: 12_345).hash("b")
            try await store.addUser(name: "cheap", passwordHash: cheap, at: Fixture.t0, context: Fixture.context)
            #expect(try await store.maxPasswordIterations() == 1_000)
            try await store.addUser(name: "dear", passwordHash: dear, at: Fixture.t0, context: Fixture.context)
            // A value that is not a PBKDF2 PHC string is checked by a dummy run at the configured cost.
            try await store.addUser(name: "odd", passwordHash: "not a hash", at: Fixture.t0, context: Fixture.context)
            #expect(try await store.maxPasswordIterations() == 12_345)
        }
    }
}
