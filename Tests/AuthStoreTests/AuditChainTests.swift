import Testing

@testable import AuthStore

/// Checks every row against the chain; returns the first id that does not fit, or `nil`.
private func firstBrokenLink(_ records: [AuditRecord], start: [UInt8] = AuditChain.genesis) -> Int64? {
    var previous = start
    var previousID: Int64 = 0
    for record in records {
        guard record.id > previousID,
            record.hash == AuditChain.hash(previous: previous, id: record.id, time: record.time, entry: record.entry)
        else { return record.id }
        previous = record.hash
        previousID = record.id
    }
    return nil
}

@Suite struct AuditChainTests {
    let context = Fixture.context
    let t0 = Fixture.t0

    /// The encoding is part of the on-disk format: old logs must keep verifying.
    /// Expected values computed with Python: sha256(previous + b"".join(len(f).to_bytes(4, "big") + f
    /// for f in fields encoded as UTF-8)), fields in the order id, time, event, outcome, reason,
    /// username, session, address, user agent, request id.
    @Test func hashEncodingIsPinned() {
        let first = AuditChain.hash(
            previous: AuditChain.genesis, id: 1, time: t0,
            entry: .failure(.login, .badPassword, username: "alice", context: context))
        #expect(Hex.encode(first) == "5495a6f7adad92f76f6c13f1d19ae5d1374e57ea18d99357f5e377a2c4d3cc30")
        let second = AuditChain.hash(
            previous: first, id: 2, time: t0 + .seconds(1),
            entry: .success(
                .logout, username: "bob", session: "0123456789abcdef",
                context: AuditContext()))
        #expect(Hex.encode(second) == "eb542519ee1b0b054ef442d74c0916f480bc415b8f1112bc67399849a368daa6")
        #expect(AuditChain.genesis == [UInt8](repeating: 0, count: 32))
    }

    @Test func fieldBoundariesMatter() {
        let a = AuditChain.hash(
            previous: AuditChain.genesis, id: 1, time: t0,
            entry: .success(.login, username: "ab", session: "c", context: context))
        let b = AuditChain.hash(
            previous: AuditChain.genesis, id: 1, time: t0,
            entry: .success(.login, username: "a", session: "bc", context: context))
        #expect(a != b)
    }

    @Test(arguments: Engine.all) func everyStoredRowChainsToTheOneBefore(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(
                name: "alice", passwordHash: Fixture.hashA, at: t0, context: .commandLine)
            let session = try await store.openSession(alice, token: "a", at: t0 + .seconds(1))
            try await store.recordAudit(
                .failure(.login, .badPassword, username: "ålice ✓", context: context),
                at: t0 + .seconds(2))
            try await store.recordAudit(.failure(.verify, .badToken, context: context), at: t0 + .seconds(3))
            _ = try await store.endSession(
                tokenHash: Fixture.tokenHash("a"), policy: SessionPolicy(),
                at: t0 + .seconds(4), context: context)
            try await store.changePassword(
                name: "alice", passwordHash: Fixture.hashB, at: t0 + .seconds(5),
                context: .commandLine)

            let records = try await store.allAudit()

            #expect(records.map(\.id) == [1, 2, 3, 4, 5, 6])
            #expect(records.map(\.entry.event) == [.userAdd, .login, .login, .verify, .logout, .userPasswd])
            #expect(records[1].entry.session == session.id)
            #expect(records.allSatisfy { $0.hash.count == 32 })
            #expect(
                records.first?.hash
                    == AuditChain.hash(
                        previous: AuditChain.genesis, id: 1, time: t0,
                        entry: records[0].entry))
            #expect(firstBrokenLink(records) == nil)
        }
    }

    @Test(arguments: Engine.all) func anEditedRowBreaksTheChain(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            for second in 0..<4 {
                try await store.recordAudit(
                    .failure(.login, .badPassword, username: "u\(second)", context: context),
                    at: t0 + .seconds(Int64(second)))
            }
            #expect(firstBrokenLink(try await store.allAudit()) == nil)

            try await store.tamper("UPDATE audit_log SET reason = 'unknown_user' WHERE id = 3")

            #expect(firstBrokenLink(try await store.allAudit()) == 3)
        }
    }

    /// A name this binary does not write reads as a default (a failed login, no reason), and
    /// a hash over that default matches a row that held the default: the edit must still
    /// break the chain, on the path each engine's verify takes.
    @Test(arguments: Engine.all) func aNameThisBinaryDoesNotWriteBreaksTheChain(engine: Engine) async throws {
        // (The outcome has a CHECK constraint in both schemas.)
        for edit in ["event = 'login_maybe'", "reason = 'because'"] {
            try await withStore(engine) { store, _ in
                for second in 0..<3 {
                    // A failed login without a reason: every name is the default a stranger reads as.
                    try await store.recordAudit(
                        AuditEntry(event: .login, outcome: .failure, username: "u\(second)", context: context),
                        at: t0 + .seconds(Int64(second)))
                }
                #expect(try await store.verifyAuditChain().isIntact)

                try await store.tamper("UPDATE audit_log SET \(edit) WHERE id = 2")

                let verification = try await store.verifyAuditChain()
                #expect(verification.failure == .brokenChain(at: 2), "\(edit): \(verification)")
            }
        }
    }

    @Test(arguments: Engine.all) func idsAreNotReusedAndTheChainResumesFromTheAnchor(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            for second in 0..<3 {
                try await store.recordAudit(
                    .failure(.login, .badPassword, username: "u", context: context),
                    at: t0 + .seconds(Int64(second)))
            }
            let last = try #require(try await store.recentAudit(limit: 1).first)
            // Prune everything the way a pruning command would: keep the last hash as the anchor.
            try await store.tamper(
                "INSERT INTO audit_anchor (id, last_id, hash) VALUES (1, \(last.id), \(engine.blobLiteral(last.hash)))")
            try await store.tamper("DELETE FROM audit_log")

            try await store.recordAudit(
                .success(.auditPrune, username: "", context: .commandLine), at: t0 + .seconds(9))

            let records = try await store.allAudit()
            #expect(records.map(\.id) == [4])
            #expect(firstBrokenLink(records, start: last.hash) == nil)
            #expect(firstBrokenLink(records) == 4)  // not chained to genesis
        }
    }

    @Test(arguments: Engine.all) func recentAuditIsNewestFirstAndLimited(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            for second in 0..<5 {
                try await store.recordAudit(
                    .failure(.verify, .badToken, context: context), at: t0 + .seconds(Int64(second)))
            }
            let recent = try await store.recentAudit(limit: 2)
            #expect(recent.map(\.id) == [5, 4])
            #expect(recent.map(\.time) == [t0 + .seconds(4), t0 + .seconds(3)])
            #expect(try await store.recentAudit(limit: 0).isEmpty)
        }
    }
}
