import Foundation
import Testing

@testable import AuthStore

/// Audit logs written by an authd from before migration 0003, whose writer stamped a row's
/// time before queueing it: rows could commit out of time order. Such a log must still
/// verify, time filters must still return exactly the rows in the window, and pruning must
/// never delete a row newer than its cutoff.
@Suite struct AuditOlderRowsTests {
    private let base = Timestamp(seconds: 1_800_000_000)

    /// A database migrated up to 0002, as an older authd left it: 20 audit rows with a valid
    /// chain, rows 1–14 with times swapped in pairs (row 1 at +1 s, row 2 at +0 s, …, row 13
    /// at +13 s, row 14 at +12 s) and rows 15–20 in order (+14 s … +19 s). Opened by this
    /// authd, which applies 0003 (time order from row 14, the last step back), and given rows
    /// 21–30 by a clock 4 s behind, so rows 21 and 22 keep row 20's +19 s (row 23's own
    /// clock reads +19 s).
    private func withOlderLog(_ body: (SQLiteAuthStore, TemporaryDirectory) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 2 }).migrate(connection)
            var previous = AuditChain.genesis
            for id in Int64(1)...20 {
                let time = base + .seconds(id <= 14 ? (id - 1) ^ 1 : id - 1)
                let entry = Self.entry(Int(id))
                let hash = AuditChain.hash(previous: previous, id: id, time: time, entry: entry)
                try connection.run(
                    """
                    INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    id, time.microseconds, entry.event.rawValue, entry.outcome.rawValue, entry.reason?.rawValue ?? "",
                    entry.username, entry.session, entry.context.address, "", "", hash)
                previous = hash
            }
            connection.close()

            let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
            do {
                for id in 21...30 {
                    try await store.recordAudit(Self.entry(id), at: base + .seconds(Int64(id - 4)))
                }
                try await body(store, directory)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// Row `id`: users, events, outcomes and addresses cycle at different periods.
    private static func entry(_ id: Int) -> AuditEntry {
        let users = ["alice", "bob", "carol"]
        let context = AuditContext(address: "10.0.0.\(id % 2)", userAgent: "", requestID: "")
        if id % 5 == 0 { return .failure(.login, .badPassword, username: users[id % 3], context: context) }
        return .success(id % 2 == 0 ? .login : .logout, username: users[id % 3], session: "s\(id)", context: context)
    }

    /// How many parts of the log a query with these bounds searches separately.
    private func windows(_ store: SQLiteAuthStore, since: Timestamp?, until: Timestamp? = nil) async throws -> Int {
        try await store.read { try SQLiteAuthStore.timeWindows(since: since, until: until, on: $0).count }
    }

    @Test func olderRowsOutOfOrderStillVerify() async throws {
        try await withOlderLog { store, directory in
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.isIntact)
            #expect(result.checked == 30)
            #expect(result.orderCheckedFrom == 14)
            let times = try await store.allAudit().map(\.time)
            #expect(times[1] < times[0] && times[13] < times[12], "the fixture has older rows out of order")
            #expect(
                times[20] == times[19] && times[21] == times[19],
                "a new row whose clock is behind keeps the previous row's time")
            #expect(zip(times[13...], times[14...]).allSatisfy { $0 <= $1 })
        }
    }

    @Test func orderIsCheckedAfterTheBoundary() async throws {
        try await withOlderLog { store, directory in
            try moveAuditRowBackAndRechain(directory, row: 25)
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .timeGoesBackwards(at: 25))
        }
    }

    /// Row 15 was in order in the older log, so it is past the boundary and checked too.
    @Test func orderIsCheckedInTheOlderLogsOrderedTail() async throws {
        try await withOlderLog { store, directory in
            try moveAuditRowBackAndRechain(directory, row: 15)
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .timeGoesBackwards(at: 15))
        }
    }

    /// Every time window, alone and with other filters, returns exactly the rows whose time
    /// is in it, on both sides of the boundary.
    @Test func timeFiltersMatchFilteringByHand() async throws {
        try await withOlderLog { store, directory in
            let all = try await store.queryAudit(AuditQuery(limit: 1_000))
            #expect(all.count == 30)
            let bounds: [Timestamp?] =
                [nil] + [-1, 0, 1, 2, 7, 10, 12, 13, 14, 16, 18, 19, 20, 25, 40].map { base + .seconds($0) }
            for since in bounds {
                for until in bounds where since != nil || until != nil {
                    for (username, address) in [(nil, nil), ("bob", nil), (nil, "10.0.0.1")] as [(String?, String?)] {
                        for events in [[], [.login], [.login, .logout]] as [[AuditEvent]] {
                            for outcome in [nil, .failure] as [AuditOutcome?] {
                                for limit in [0, 2, 100] {
                                    let query = AuditQuery(
                                        username: username, events: events, outcome: outcome, since: since,
                                        until: until, address: address, limit: limit)
                                    let expected = all.filter { record in
                                        (username == nil || record.entry.username == username)
                                            && (address == nil || record.entry.context.address == address)
                                            && (events.isEmpty || events.contains(record.entry.event))
                                            && (outcome == nil || record.entry.outcome == outcome)
                                            && (since.map { record.time >= $0 } ?? true)
                                            && (until.map { record.time < $0 } ?? true)
                                    }.prefix(limit).map(\.id)
                                    #expect(
                                        try await store.queryAudit(query).map(\.id) == Array(expected), "\(query)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The rows before the boundary (row 14) span +0 s to +13 s: a window outside that range
    /// leaves them out, one that meets it searches them by time.
    @Test func windowsOutsideTheOlderRowsTimesSkipThem() async throws {
        try await withOlderLog { store, directory in
            let after = try await windows(store, since: base + .seconds(14))
            #expect(after == 1)
            #expect(try await windows(store, since: base + .seconds(13)) == 2)
            #expect(try await windows(store, since: nil, until: base) == 1)
            #expect(try await windows(store, since: nil, until: base + .microseconds(1)) == 2)
            #expect(try await windows(store, since: base + .seconds(5), until: base + .seconds(5)) == 0)
        }
    }

    /// Pruning removes only a prefix: it stops at the first row at or after the cutoff, says
    /// how many older rows it had to keep, and works in batches; once the rows before the
    /// boundary are gone, time filters use id ranges alone.
    @Test func pruneStopsAtTheFirstNewerRow() async throws {
        try await withOlderLog { store, directory in
            let windowsBefore = try await windows(store, since: base)
            #expect(windowsBefore == 2)
            // Row 13 (+13 s) is the first at or after +13 s; row 14 (+12 s) follows it.
            let first = try await store.pruneAudit(
                before: base + .seconds(13), batchSize: 3, at: base + .seconds(100), context: .commandLine)
            #expect(
                first
                    == AuditPruneResult(
                        deleted: 12, keptOlder: 1, firstKeptID: 13, firstKeptTime: base + .seconds(13),
                        range: AuditPruneRange(first: 1, last: 12, rows: 12)))
            #expect(try await windows(store, since: base) == 2)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
            // Row 13 is the last before the boundary; past it, times are in order: +15 s
            // first holds at row 16.
            let second = try await store.pruneAudit(
                before: base + .seconds(15), batchSize: 3, at: base + .seconds(101), context: .commandLine)
            #expect(
                second
                    == AuditPruneResult(
                        deleted: 3, keptOlder: 0, firstKeptID: 16, firstKeptTime: base + .seconds(15),
                        range: AuditPruneRange(first: 13, last: 15, rows: 3)))
            #expect(try await store.queryAudit(AuditQuery(limit: 1_000)).last?.id == 16)
            #expect(try await windows(store, since: base) == 1)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }
}
