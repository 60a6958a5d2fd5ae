import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// A replica's audited-write transaction takes in the writes that queued while it waited
/// for the chain's head, which another replica (here: a test connection) held.
@Suite(.enabled(if: TestPostgres.isConfigured || TestPostgres.isRequired))
struct PostgresBatchTopUpTests {
    @Test func writesQueuedWhileTheHeadIsHeldJoinTheWaitingTransaction() async throws {
        try await TestPostgres.withSchema { url, schema in
            let batches = BatchSizes()
            let observer = StoreObserver(batchCommitted: { writes, _ in batches.sizes.withLock { $0.append(writes) } })
            let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 4, observer: observer)
            try await closing(store) {
                try await TestPostgres.withClient(url, schema: schema) { client in
                    try await client.withConnection { holder in
                        // Hold the head as another replica's transaction would.
                        try await holder.query("BEGIN", logger: store.logger)
                        try await holder.query("SELECT last_id FROM audit_head WHERE id = 1 FOR UPDATE", logger: store.logger)
                        let holderPID = try await holder.query("SELECT pg_backend_pid()", logger: store.logger)
                            .collect().first!.decode(Int32.self)
                        let addUser = { @Sendable (name: String) in
                            _ = try await store.addUser(
                                name: name, passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
                        }
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { try await addUser("first") }
                            do {
                                // Its transaction waits for the head...
                                try await waitUntil { try await TestPostgres.backendsBlocked(by: holderPID, client: client) == 1 }
                                // ...while four more writes queue behind it.
                                for i in 1...4 { group.addTask { try await addUser("queued\(i)") } }
                                try await waitUntil { store.batcher.queuedWrites == 4 }
                                try await holder.query("COMMIT", logger: store.logger)
                            } catch {
                                // Let the waiting writes finish, or the group would wait for them for ever.
                                _ = try? await holder.query("ROLLBACK", logger: store.logger)
                                throw error
                            }
                            try await group.waitForAll()
                        }
                    }
                }
                #expect(batches.sizes.withLock { $0 } == [5])
                #expect(try await store.allAudit().map(\.entry.username).sorted() == ["first", "queued1", "queued2", "queued3", "queued4"])
                #expect(try await store.verifyAuditChain().isIntact)
            }
        }
    }
}

/// Batch sizes the store reported, in order.
private final class BatchSizes: Sendable {
    let sizes = Mutex<[Int]>([])
}
