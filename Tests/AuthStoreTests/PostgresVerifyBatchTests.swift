import PostgresNIO
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
                let answers = try await TestPostgres.withClient(url, schema: schema) { client in
                    try await client.withConnection { holder in
                        // Nothing reads the sessions table until the holder commits.
                        try await holder.query("BEGIN", logger: store.logger)
                        try await holder.query("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE", logger: store.logger)
                        let holderPID = try await holder.query("SELECT pg_backend_pid()", logger: store.logger)
                            .collect().first!.decode(Int32.self)
                        return try await withThrowingTaskGroup(of: (String, TokenLookup).self) { group in
                            group.addTask { ("a first", try await verify("a")) }
                            do {
                                // The first verify's query waits for the lock...
                                try await waitUntil {
                                    try await TestPostgres.backendsBlocked(by: holderPID, client: client) == 1
                                }
                                // ...while the others queue behind it.
                                for token in queued { group.addTask { (token, try await verify(token)) } }
                                try await waitUntil { store.sessionFinder.waitingLookups == queued.count }
                                try await holder.query("COMMIT", logger: store.logger)
                            } catch {
                                _ = try? await holder.query("ROLLBACK", logger: store.logger)
                                throw error
                            }
                            var answers: [String: TokenLookup] = [:]
                            for try await (token, lookup) in group { answers[token] = lookup }
                            return answers
                        }
                    }
                }
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
