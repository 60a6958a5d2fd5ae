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
                let addUser = { @Sendable (name: String) in
                    _ = try await store.addUser(
                        name: name, passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
                }
                // The head held as another replica's transaction would: the first write's
                // transaction waits for it, while four more writes queue behind it.
                _ = try await TestPostgres.queueBehindLock(
                    url: url, schema: schema, lock: "SELECT last_id FROM audit_head WHERE id = 1 FOR UPDATE",
                    first: { try await addUser("first") },
                    then: (1...4).map { i in { try await addUser("queued\(i)") } },
                    queued: { store.batcher.queuedWrites == 4 })
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
