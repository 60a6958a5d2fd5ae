import Foundation
import Testing

@testable import AuthStore

/// Times of the seeded audit rows: row n is at `auditBase + (n - 1) s`.
private let auditBase = Timestamp(seconds: 1_800_000_000)

extension AuthStorage {
    /// Rows 1…n, one second apart from `auditBase`, cycling users, events, outcomes and
    /// addresses; user agents hold a comma, quotes and a newline.
    fileprivate func seedAudit(_ count: Int) async throws {
        let users = ["alice", "bob", "carol"]
        let addresses = ["10.0.0.1", "10.0.0.2"]
        for index in 0..<count {
            let context = AuditContext(
                address: addresses[index % 2], userAgent: "agent, \"quoted\"\nline", requestID: "r\(index)")
            let entry: AuditEntry =
                index % 3 == 0
                ? .failure(.login, .badPassword, username: users[index % 3], context: context)
                : .success(
                    index % 2 == 0 ? .login : .logout, username: users[index % 3], session: "s\(index)",
                    context: context)
            try await recordAudit(entry, at: auditBase + .seconds(index))
        }
    }
}

@Suite struct AuditQueryTests {
    @Test(arguments: Engine.all) func newestFirstWithLimit(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(10)
            let rows = try await store.queryAudit(AuditQuery(limit: 4))
            #expect(rows.map(\.id) == [10, 9, 8, 7])
        }
    }

    @Test(arguments: Engine.all) func eachFilterAlone(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(12)
            let byUser = try await store.queryAudit(AuditQuery(username: "bob"))
            #expect(!byUser.isEmpty && byUser.allSatisfy { $0.entry.username == "bob" })
            #expect(byUser.count == 4)
            let byEvent = try await store.queryAudit(AuditQuery(events: [.logout]))
            #expect(!byEvent.isEmpty && byEvent.allSatisfy { $0.entry.event == .logout })
            let byEvents = try await store.queryAudit(AuditQuery(events: [.logout, .login]))
            #expect(byEvents.count == 12)
            let failures = try await store.queryAudit(AuditQuery(outcome: .failure))
            #expect(failures.count == 4 && failures.allSatisfy { $0.entry.reason == .badPassword })
            let since = try await store.queryAudit(AuditQuery(since: auditBase + .seconds(10)))
            #expect(since.map(\.id) == [12, 11])
            let until = try await store.queryAudit(AuditQuery(until: auditBase + .seconds(2)))
            #expect(until.map(\.id) == [2, 1])
            let byAddress = try await store.queryAudit(AuditQuery(address: "10.0.0.2"))
            #expect(byAddress.count == 6 && byAddress.allSatisfy { $0.entry.context.address == "10.0.0.2" })
            #expect(try await store.queryAudit(AuditQuery(username: "nobody")).isEmpty)
        }
    }

    @Test(arguments: Engine.all) func filtersCombine(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(30)
            let rows = try await store.queryAudit(
                AuditQuery(
                    username: "alice", events: [.login], outcome: .failure, since: auditBase + .seconds(6),
                    until: auditBase + .seconds(25), address: "10.0.0.1", limit: 100))
            // alice is every third row (index 0, 3, 6…); failures are the same rows; address
            // 10.0.0.1 the even indexes: 6, 12, 18, 24 → ids 7, 13, 19, 25 (25 is at +24s < +25s).
            #expect(rows.map(\.id) == [25, 19, 13, 7])
        }
    }

    /// Every combination of filters returns exactly what filtering all rows by hand does:
    /// the index choice, the id bounds and the per-event merge change the cost, never the rows.
    @Test(arguments: Engine.all) func everyCombinationMatchesFilteringByHand(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(30)
            let all = try await store.queryAudit(AuditQuery(limit: 1_000))
            #expect(all.map(\.id) == Array((1...30).reversed()))
            let base = auditBase
            for username in [nil, "alice", "nobody"] as [String?] {
                for events in [[], [.login], [.logout, .login], [.logout, .userAdd]] as [[AuditEvent]] {
                    for outcome in [nil, .failure, .success] as [AuditOutcome?] {
                        for since in [nil, base + .seconds(5), base + .seconds(100)] as [Timestamp?] {
                            for until in [nil, base + .seconds(3), base + .seconds(20), base - .seconds(1)]
                                as [Timestamp?]
                            {
                                for address in [nil, "10.0.0.1"] as [String?] {
                                    for limit in [0, 3, 100] {
                                        let query = AuditQuery(
                                            username: username, events: events, outcome: outcome,
                                            since: since, until: until, address: address, limit: limit)
                                        let expected = all.filter { record in
                                            (username == nil || record.entry.username == username)
                                                && (events.isEmpty || events.contains(record.entry.event))
                                                && (outcome == nil || record.entry.outcome == outcome)
                                                && (since.map { record.time >= $0 } ?? true)
                                                && (until.map { record.time < $0 } ?? true)
                                                && (address == nil || record.entry.context.address == address)
                                        }.prefix(limit).map(\.id)
                                        let rows = try await store.queryAudit(query)
                                        #expect(rows.map(\.id) == Array(expected), "\(query)")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A wall clock that steps back does not make the log's time go back: the row keeps
    /// the previous time, so time windows stay id ranges (ties included).
    @Test(arguments: Engine.all) func timeNeverGoesBackwards(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            let base = auditBase
            for offset in [10, 5, 6, 20] {
                try await store.recordAudit(
                    .success(.userAdd, username: "u\(offset)", context: .commandLine),
                    at: base + .seconds(Int64(offset)))
            }
            let rows = try await store.queryAudit(AuditQuery())
            #expect(
                rows.map(\.time) == [
                    base + .seconds(20), base + .seconds(10), base + .seconds(10), base + .seconds(10),
                ])
            #expect(try await store.queryAudit(AuditQuery(since: base + .seconds(10))).map(\.id) == [4, 3, 2, 1])
            #expect(try await store.queryAudit(AuditQuery(until: base + .seconds(10))).isEmpty)
            #expect(try await store.queryAudit(AuditQuery(until: base + .seconds(11))).map(\.id) == [3, 2, 1])
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }
}

@Suite struct AuditVerifyTests {
    @Test(arguments: Engine.all) func intactChainVerifies(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(20)
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.isIntact)
            #expect(result.checked == 20)
            #expect(result.headHash == Hex.encode(try #require(try await store.recentAudit(limit: 1).first).hash))
        }
    }

    @Test(arguments: Engine.all) func editedFieldIsDetected(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(10)
            try await store.tamper("UPDATE audit_log SET address = '1.2.3.4' WHERE id = 4")
            #expect(try await store.verifyAuditChain { _, _ in }.failure == .brokenChain(at: 4))
        }
    }

    @Test(arguments: Engine.all) func deletedRowIsDetected(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(10)
            try await store.tamper("DELETE FROM audit_log WHERE id = 6")
            #expect(try await store.verifyAuditChain { _, _ in }.firstBadID == 7)
        }
    }

    @Test(arguments: Engine.all) func deletedNewestRowIsDetected(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(10)
            try await store.tamper("DELETE FROM audit_log WHERE id = 10")
            #expect(try await store.verifyAuditChain { _, _ in }.firstBadID == 10)
        }
    }

    @Test(arguments: Engine.all) func insertedRowIsDetected(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(10)
            // Make room by shifting ids, then slip a forged row in with a copied hash.
            try await store.tamper(
                """
                UPDATE audit_log SET id = id + 100 WHERE id > 5;
                INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash)
                SELECT 6, time, 'login', 'success', '', 'mallory', '', '1.1.1.1', '', '', hash FROM audit_log WHERE id = 5;
                UPDATE audit_log SET id = id - 99 WHERE id > 100;
                """)
            #expect(try await store.verifyAuditChain { _, _ in }.firstBadID == 6)
        }
    }

    /// A row whose time is earlier than its predecessor's, with every hash recomputed so
    /// the chain itself is intact: authd's writer never records that, so verify names it.
    @Test(arguments: Engine.all) func timeGoingBackwardsIsDetected(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(8)
            try await moveAuditRowBackAndRechain(store, engine, row: 5)
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.failure == .timeGoesBackwards(at: 5))
        }
    }

    @Test(arguments: Engine.all) func pruneKeepsTheChainVerifiableAndIsAudited(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(25)
            let deleted = try await store.pruneAudit(
                before: auditBase + .seconds(12), batchSize: 5, at: auditBase + .seconds(100), context: .commandLine)
            #expect(
                deleted
                    == AuditPruneResult(
                        deleted: 12, keptOlder: 0, firstKeptID: 13, firstKeptTime: auditBase + .seconds(12),
                        range: AuditPruneRange(first: 1, last: 12, rows: 12)))
            let remaining = try await store.queryAudit(AuditQuery(limit: 100))
            #expect(remaining.last?.id == 13)
            #expect(remaining.first?.entry.event == .auditPrune)
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.isIntact)
            #expect(result.checked == 14)
            // New rows after the prune still chain.
            try await store.recordAudit(
                .success(.userAdd, username: "dave", context: .commandLine), at: auditBase + .seconds(200))
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }

    @Test(arguments: Engine.all) func pruningEverythingStillVerifies(engine: Engine) async throws {
        try await withStore(engine) { store, directory in
            try await store.seedAudit(5)
            #expect(
                try await store.pruneAudit(
                    before: auditBase + .seconds(60), batchSize: 2,
                    at: auditBase + .seconds(61), context: .commandLine)
                    == AuditPruneResult(
                        deleted: 5, keptOlder: 0, firstKeptID: nil, firstKeptTime: nil,
                        range: AuditPruneRange(first: 1, last: 5, rows: 5)))
            let result = try await store.verifyAuditChain { _, _ in }
            #expect(result.isIntact && result.checked == 1)
        }
    }
}
