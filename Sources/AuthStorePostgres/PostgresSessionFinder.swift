import AuthStore
import Synchronization

/// Finds sessions by token hash for verify, many lookups to a query under load.
///
/// A verify is a read of one row, and on PostgreSQL most of its cost is not the read: a
/// pool lease, a round trip, and the server's work per statement. So concurrent lookups
/// share queries: at most ``maximumInFlight`` run at once, and the lookups that arrive while
/// they are busy go together into the next one (`token_hash = ANY($1)`, up to
/// ``maximumBatch`` tokens). A lookup that finds a query slot free starts at once, so a
/// lone verify waits for nothing.
///
/// A lookup's query always starts after the lookup arrived. It therefore sees every logout
/// and revocation committed before the request came in, as a query of its own would.
final class PostgresSessionFinder: Sendable {
    /// Runs one query for the given token hashes; returns the sessions found, each with its
    /// token hash, in any order.
    typealias Query = @Sendable ([[UInt8]]) async throws -> [(tokenHash: [UInt8], session: Session)]

    /// Tokens per query at most: as many as a busy server gathers during one round trip.
    static let maximumBatch = 64

    /// Queries at once at most. Fewer means larger batches; the rest of the pool stays free
    /// for logins, logouts and the admin commands.
    let maximumInFlight: Int

    private struct Lookup {
        let tokenHash: [UInt8]
        let continuation: CheckedContinuation<Session?, any Error>
    }

    private struct State {
        var waiting: [Lookup] = []
        var running = 0
    }

    private let state = Mutex(State())
    private let query: Query
    private let queries = Atomic<Int>(0)

    init(maximumInFlight: Int, query: @escaping Query) {
        self.maximumInFlight = max(1, maximumInFlight)
        self.query = query
    }

    /// The session whose token hashes to `tokenHash`, or nil.
    func find(_ tokenHash: [UInt8]) async throws -> Session? {
        try await withCheckedThrowingContinuation { continuation in
            let startsQuery = state.withLock { state -> Bool in
                state.waiting.append(Lookup(tokenHash: tokenHash, continuation: continuation))
                guard state.running < maximumInFlight else { return false }
                state.running += 1
                return true
            }
            if startsQuery {
                Task { await self.drain() }
            }
        }
    }

    /// Lookups waiting for a query (tests wait on it).
    var waitingLookups: Int {
        state.withLock { $0.waiting.count }
    }

    /// Queries run so far (tests count them).
    var queriesRun: Int {
        queries.load(ordering: .relaxed)
    }

    /// Runs queries until no lookup waits, then gives up its slot. Taking the last lookups
    /// and giving up the slot happen under one lock, so a lookup that arrives meanwhile
    /// either is taken or finds the slot free and starts a query itself.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Lookup] in
                let batch = Array(state.waiting.prefix(Self.maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.running -= 1 }
                return batch
            }
            if batch.isEmpty { return }
            queries.add(1, ordering: .relaxed)
            do {
                let found = try await query(batch.map(\.tokenHash))
                let byToken = Dictionary(found.map { ($0.tokenHash, $0.session) }, uniquingKeysWith: { first, _ in first })
                for lookup in batch { lookup.continuation.resume(returning: byToken[lookup.tokenHash]) }
            } catch {
                for lookup in batch { lookup.continuation.resume(throwing: error) }
            }
        }
    }
}
