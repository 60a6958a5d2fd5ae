import Testing

@testable import AuthStore

/// `audit verify` on SQLite hashes each row from SQLite's column buffers (``SQLiteAuditRow``)
/// instead of an ``AuditRecord``. These pin that it hashes exactly the bytes the writer
/// hashed, and that every row gets the verdict the record path (PostgreSQL's) gives it.
@Suite struct AuditVerifyInPlaceTests {
    private let t0 = Fixture.t0

    /// Three rows covering what the encoding has to get right: non-ASCII text in several
    /// fields, a row with count and detail (12 fields), an `audit_prune` row with a detail.
    private var rows: [(id: Int64, time: Timestamp, entry: AuditEntry)] {
        [
            (
                1, t0,
                AuditEntry(
                    event: .login, outcome: .failure, reason: .badPassword, username: "ålice ✓",
                    context: AuditContext(
                        address: "2001:db8::1", userAgent: "Mozilla/5.0 (Ünïcode; 日本語)", requestID: "req-ß"))
            ),
            (
                2, t0 + .seconds(1),
                AuditEntry(
                    event: .verify, outcome: .failure, reason: .badToken,
                    context: AuditContext(address: "198.51.100.0/24", requestID: "req-2"), count: 37,
                    detail: "window 60s")
            ),
            (
                3, t0 + .seconds(2),
                AuditEntry(
                    event: .auditPrune, outcome: .success, context: .commandLine,
                    detail: "from=1 through=0 rows=0 before=2025-06-15T15:06:40Z")
            ),
        ]
    }

    /// Computed with Python, independently of the Swift encoder, as bench/audit/generate.py's
    /// `row_hash` does: sha256(previous + for each field u32 big-endian UTF-8 length + bytes),
    /// the ten fields, then count and detail when either is not the default.
    private let pinned = [
        "ea1924de963a2a0966ecb6eaa03ed7c2a4ec385df9ffeb4e4a34a4d28fabfc57",
        "e7ddba907547c632c6c6cb3dad5dded8160697dc6a69fe5fdd5b79738d64fb15",
        "e5f363e3e582eaecf21293c8018a04a4535e04af179623cd2a636854a5baec28",
    ]

    @Test func rowHashesArePinned() {
        var previous = AuditChain.genesis
        for (row, expected) in zip(rows, pinned) {
            let hash = AuditChain.hash(previous: previous, id: row.id, time: row.time, entry: row.entry)
            #expect(Hex.encode(hash) == expected)
            previous = hash
        }
    }

    /// Decimal fields are written without `String(_:)`; they must encode exactly as it does.
    @Test(arguments: [0, 2, -1, 9, 10, 99, 100, 1_750_000_000_000_000, Int64.max, Int64.min, -1_000_000] as [Int64])
    func decimalFieldsEncodeAsString(value: Int64) {
        let entry = AuditEntry(event: .login, outcome: .success, context: AuditContext(), count: Int(value))
        var bytes = AuditChain.genesis
        for field in [String(value), String(value), "login", "success", "", "", "", "", "", "", String(value), ""] {
            let length = UInt32(field.utf8.count)
            bytes += [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
            bytes += Array(field.utf8)
        }
        let hash = AuditChain.hash(
            previous: AuditChain.genesis, id: value, time: Timestamp(microseconds: value), entry: entry)
        #expect(hash == SHA256.digest(bytes))
    }

    /// The rows are written by SQL, not by authd's writer, with the pinned hashes: `audit
    /// verify` passing proves it hashes the same bytes.
    @Test func verifyInPlaceHashesTheWrittenBytes() async throws {
        try await withStore { store, _ in
            try await insertPinnedRows(store)
            let result = try await store.verifyAuditChain(
                expecting: [AuditChainPoint(id: 2, hash: pinned[1])], progress: { _, _ in })
            #expect(result.isIntact)
            #expect(result.checked == 3)
            #expect(result.head == AuditChainPoint(id: 3, hash: pinned[2]))
            #expect(result.expectations.map(\.outcome.holds) == [true])

            try await store.tamper("UPDATE audit_log SET username = 'ålice ✔' WHERE id = 1")
            #expect(try await store.verifyAuditChain(expecting: []) { _, _ in }.failure == .brokenChain(at: 1))
        }
    }

    /// Every tampering gets the same verdict from the in-place walk as from feeding
    /// ``AuditRecord``s, as PostgreSQL does. Includes names this binary does not know, which
    /// both read as their defaults (so an unknown reason on a row without one still
    /// verifies, on either path), and text that is not UTF-8.
    @Test(arguments: [
        "",
        "UPDATE audit_log SET user_agent = 'Mozilla/5.0 (Unicode; 日本語)' WHERE id = 1",
        "UPDATE audit_log SET event = 'mystery' WHERE id = 3",
        "UPDATE audit_log SET outcome = 'success' WHERE id = 2",
        "UPDATE audit_log SET reason = 'mystery' WHERE id = 2",
        "UPDATE audit_log SET reason = 'mystery' WHERE id = 3",
        "UPDATE audit_log SET count = 1, detail = '' WHERE id = 2",
        "UPDATE audit_log SET detail = 'from=1 through=0 rows=0' WHERE id = 3",
        "UPDATE audit_log SET session = CAST(X'ff' AS TEXT) WHERE id = 2",
        "UPDATE audit_log SET hash = X'00' WHERE id = 2",
        "DELETE FROM audit_log WHERE id = 2",
        "DELETE FROM audit_log WHERE id = 3",
    ])
    func inPlaceAndRecordVerdictsAgree(tampering: String) async throws {
        try await withStore { store, _ in
            try await insertPinnedRows(store)
            if !tampering.isEmpty { try await store.tamper(tampering) }
            let expected = [AuditChainPoint(id: 2, hash: pinned[1])]
            let inPlace = try await store.verifyAuditChain(expecting: expected) { _, _ in }
            var verifier = AuditChainVerifier(anchor: nil, expecting: expected, highestIssuedID: 3) { _, _ in }
            for record in try await store.allAudit() {
                guard verifier.check(record) else { break }
            }
            let viaRecords = verifier.finish()
            #expect(inPlace == viaRecords)
        }
    }

    private func insertPinnedRows(_ store: SQLiteAuthStore) async throws {
        for (row, hash) in zip(rows, pinned) {
            let entry = row.entry
            let texts = [
                entry.event.rawValue, entry.outcome.rawValue, entry.reason?.rawValue ?? "", entry.username,
                entry.session, entry.context.address, entry.context.userAgent, entry.context.requestID,
            ]
            .map { "'\($0)'" }.joined(separator: ", ")
            try await store.tamper(
                """
                INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent,
                    request_id, count, detail, hash)
                VALUES (\(row.id), \(row.time.microseconds), \(texts), \(entry.count), '\(entry.detail)', X'\(hash)')
                """)
        }
    }
}
