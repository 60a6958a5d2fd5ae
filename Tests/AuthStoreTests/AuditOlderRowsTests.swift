import Foundation
import Testing

@testable import AuthStore

/// Audit logs written before migration 0003, when the writer stamped a row's time before
/// queueing it: concurrent rows could commit slightly out of time order. Such a log must
/// still verify, and time filters must still return exactly the rows in the window.
@Suite struct AuditOlderRowsTests {
    private let base = Timestamp(seconds: 1_800_000_000)

    /// A database migrated up to 0002 whose 20 audit rows have a valid chain but times
    /// swapped in pairs (row 1 at +1 s, row 2 at +0 s, row 3 at +3 s, …), as the old writer
    /// could leave them; then opened by this authd, which applies 0003, and given 10 rows.
    private func withOlderLog(_ body: (SQLiteAuthStore, TemporaryDirectory) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 2 }).migrate(connection)
            var previous = AuditChain.genesis
            for id in Int64(1)...20 {
                let time = base + .seconds((id - 1) ^ 1)
                let entry = Self.entry(Int(id))
                let hash = AuditChain.hash(previous: previous, id: id, time: time, entry: entry)
                try connection.run(
                    """
                    INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    id, time.microseconds, entry.event.rawValue, entry.outcome.rawValue, "", entry.username,
                    entry.session, entry.context.address, "", "", hash)
                previous = hash
            }
            connection.close()

            let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
            do {
                // The first new row's clock is behind the old rows: it takes row 20's time.
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

    /// How many parts of the log a `--since` query searches separately.
    private func windows(_ store: SQLiteAuthStore) async throws -> Int {
        let since = base
        return try await store.read { try SQLiteAuthStore.timeWindows(since: since, until: nil, on: $0).count }
    }

    private static func entry(_ id: Int) -> AuditEntry {
        let users = ["alice", "bob", "carol"]
        return .success(
            id % 2 == 0 ? .login : .logout, username: users[id % 3], session: "s\(id)",
            context: AuditContext(address: "10.0.0.\(id % 2)", userAgent: "", requestID: ""))
    }

    @Test func olderRowsOutOfOrderStillVerify() async throws {
        try await withOlderLog { store, directory in
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.isIntact)
            #expect(result.checked == 30)
            let times = try await store.allAudit().map(\.time)
            #expect(times[1] < times[0], "the fixture has older rows out of order")
            #expect(times[20] == times[19], "the first ordered row keeps the last older row's time")
            #expect(zip(times[20...], times[21...]).allSatisfy { $0 <= $1 })
        }
    }

    @Test func orderIsStillCheckedFromTheMigrationOn() async throws {
        try await withOlderLog { store, directory in
            // Rewrite row 25 to an earlier time and re-chain every hash from there.
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            try connection.execute("UPDATE audit_log SET time = time - 60000000 WHERE id = 25")
            let rows = try connection.query(
                "SELECT \(SQLiteAuthStore.auditColumns) FROM audit_log ORDER BY id", [],
                SQLiteAuthStore.auditRecord(from:))
            var previous = AuditChain.genesis
            for record in rows {
                let hash = AuditChain.hash(previous: previous, id: record.id, time: record.time, entry: record.entry)
                try connection.run("UPDATE audit_log SET hash = ? WHERE id = ?", hash, record.id)
                previous = hash
            }
            connection.close()
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .timeGoesBackwards(at: 25))
        }
    }

    /// Every time window, alone and with other filters, returns exactly the rows whose time
    /// is in it, on both sides of the migration.
    @Test func timeFiltersMatchFilteringByHand() async throws {
        try await withOlderLog { store, directory in
            let all = try await store.queryAudit(AuditQuery(limit: 1_000))
            #expect(all.count == 30)
            let bounds: [Timestamp?] =
                [nil] + [-1, 0, 1, 2, 7, 10, 16, 17, 18, 19, 20, 25, 40].map { base + .seconds($0) }
            for since in bounds {
                for until in bounds where since != nil || until != nil {
                    for username in [nil, "bob"] as [String?] {
                        for events in [[], [.login], [.login, .logout]] as [[AuditEvent]] {
                            for limit in [2, 100] {
                                let query = AuditQuery(
                                    username: username, events: events, since: since, until: until, limit: limit)
                                let expected = all.filter { record in
                                    (username == nil || record.entry.username == username)
                                        && (events.isEmpty || events.contains(record.entry.event))
                                        && (since.map { record.time >= $0 } ?? true)
                                        && (until.map { record.time < $0 } ?? true)
                                }.prefix(limit).map(\.id)
                                #expect(try await store.queryAudit(query).map(\.id) == Array(expected), "\(query)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// Once pruning has removed every row from before the migration, time filters use id
    /// ranges alone.
    @Test func pruningTheOlderRowsLeavesOneWindow() async throws {
        try await withOlderLog { store, directory in
            let windowsBefore = try await windows(store)
            #expect(windowsBefore == 2)
            // Row 19 is at +19 s and row 20 at +18 s (swapped), as are rows 21 and 22. Only a
            // prefix can go, so row 19 keeps rows 20 to 22 although they are older.
            #expect(
                try await store.pruneAudit(before: base + .seconds(19), at: base + .seconds(100), context: .commandLine)
                    == 18)
            #expect(try await windows(store) == 2)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
            // Rows 23 (+19 s) and 24 (+20 s) on are in order: before +20 s removes 19 to 23.
            #expect(
                try await store.pruneAudit(before: base + .seconds(20), at: base + .seconds(101), context: .commandLine)
                    == 5)
            #expect(try await store.queryAudit(AuditQuery(limit: 1_000)).last?.id == 24)
            #expect(try await windows(store) == 1)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }
}
