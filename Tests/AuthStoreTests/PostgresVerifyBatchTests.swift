import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// Verifies that arrive while the store's verify queries are busy share the next query,
/// and each still gets its own token's answer.
@Suite(.enabled(if: TestPostgres.isConfigured || TestPostgres.isRequired))
struct PostgresVerifyBatchTests {
    let policy = SessionPolicy(lifetime: .seconds(3600))

    @Test func lookupsQueuedBehindABusyQueryShareTheNextOne() async throws {
        try await TestPostgres.withSchema { url, schema in
            // A pool of 4: one verify query at a time.
            let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 4)
            try await closing(store) {
                #expect(store.sessionFinder.maximumInFlight == 1)
                let alice = try await store.addUser(
                    name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
                let bob = try await store.addUser(
                    name: "bob", passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
                let sessions = [
                    "a": try await store.openSession(alice, token: "a", at: Fixture.t0),
                    "b": try await store.openSession(bob, token: "b", at: Fixture.t0),
                    "c": try await store.openSession(alice, token: "c", at: Fixture.t0),
                ]
                let verify = { @Sendable (token: String) async throws -> TokenLookup in
                    try await store.verifySession(
                        tokenHash: Fixture.tokenHash(token), policy: policy, at: Fixture.t0, context: Fixture.context)
                }
                let queriesBefore = store.sessionFinder.queriesRun
                // Duplicate and unknown tokens in one batch, each answered for itself.
                let queued = ["b", "c", "unknown", "a"]
                // Nothing reads the sessions table until the lock is released: the first
                // verify's query waits for it, while the others queue behind it.
                let answers = Dictionary(
                    uniqueKeysWithValues: try await TestPostgres.queueBehindLock(
                        url: url, schema: schema, lock: "LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE",
                        first: { ("a first", try await verify("a")) },
                        then: queued.map { token in { (token, try await verify(token)) } },
                        queued: { store.sessionFinder.waitingLookups == queued.count }))
                #expect(store.sessionFinder.queriesRun - queriesBefore == 2)
                #expect(answers["a first"] == .valid(sessions["a"]!))
                #expect(answers["a"] == .valid(sessions["a"]!))
                #expect(answers["b"] == .valid(sessions["b"]!))
                #expect(answers["c"] == .valid(sessions["c"]!))
                #expect(answers["unknown"] == .unknown)
            }
        }
    }

    @Test func aVerifyAfterALogoutFindsTheSessionEndedWhileOthersVerify() async throws {
        try await TestPostgres.withSchema { url, schema in
            let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 4)
            try await closing(store) {
                let alice = try await store.addUser(
                    name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
                let tokens = (0..<40).map { "t\($0)" }
                for token in tokens { _ = try await store.openSession(alice, token: token, at: Fixture.t0) }
                // Each task logs its token out, then verifies it, among 39 others doing the same:
                // whichever query its verify joins, it started after the logout committed.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for token in tokens {
                        group.addTask {
                            let hash = Fixture.tokenHash(token)
                            let before = try await store.verifySession(
                                tokenHash: hash, policy: policy, at: Fixture.t0, context: Fixture.context)
                            guard case .valid = before else { throw VerifyAnswer(token: token, lookup: before) }
                            _ = try await store.endSession(
                                tokenHash: hash, policy: policy, at: Fixture.t0, context: Fixture.context)
                            let after = try await store.verifySession(
                                tokenHash: hash, policy: policy, at: Fixture.t0, context: Fixture.context)
                            guard after == .unknown else { throw VerifyAnswer(token: token, lookup: after) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }
}

/// A verify that answered other than it must.
private struct VerifyAnswer: Error {
    let token: String
    let lookup: TokenLookup
}
