/// A stored audit row as ``AuditChainVerifier`` reads it: an ``AuditRecord``, or a row read
/// in place from a statement without building one (SQLite's `audit verify`).
protocol AuditStoredFields: AuditHashedFields {
    /// The event, read as ``StoredAuditNames`` reads it.
    var event: AuditEvent { get }
    /// Whether the stored event, outcome and reason are names this binary writes
    /// (``AuditRecord/namesAreKnown``).
    var namesAreKnown: Bool { get }
    /// The detail as text; read only for `audit_prune` rows.
    var detail: String { get }
    /// Calls `body` with the hash stored in the row.
    func withStoredHash<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
}

/// An ``AuditRecord`` as the verifier reads it (PostgreSQL's rows).
private struct AuditRecordFields: AuditStoredFields {
    let record: AuditRecord

    var id: Int64 { record.id }
    var microseconds: Int64 { record.time.microseconds }
    var count: Int64 { Int64(record.entry.count) }
    var event: AuditEvent { record.entry.event }
    var namesAreKnown: Bool { record.namesAreKnown }
    var detail: String { record.entry.detail }

    func withUTF8<R>(_ field: AuditTextField, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        record.entry.withUTF8(field, body)
    }

    func withStoredHash<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        record.hash.withUnsafeBytes(body)
    }
}

/// Checks the audit chain from rows fed to it in id order.
///
/// Plain code over values: each engine streams its rows into one of these (SQLite from a
/// reader, PostgreSQL from a cursor), so there is one definition of an intact chain.
/// Memory stays flat however long the log is: only the expected rows' hashes are kept.
/// Checking a row allocates nothing (the hasher reuses its buffer, digests are kept inline),
/// so for an engine that reads rows in place (SQLite, ``check(fields:)``) a walk costs the
/// engine's reading plus SHA-256, and little else.
package struct AuditChainVerifier {
    private let anchor: (id: Int64, hash: [UInt8])?
    private let orderedFrom: Int64
    private let expected: [AuditChainPoint]
    /// The expected rows' ids, ascending: rows arrive in id order, so one comparison with the
    /// next wanted id per row replaces a set lookup.
    private let wanted: [Int64]
    private var nextWanted = 0
    private let highestIssuedID: Int64
    /// Rows to check, for `progress`: an intact chain holds exactly the ids after the anchor
    /// up to the highest issued one, and so no count of the rows is needed.
    private let total: Int
    private let progress: @Sendable (Int, Int) -> Void
    private let hasher = AuditRowHasher()

    private var previous: [UInt8]
    private var expectedID: Int64
    private var previousTime: Timestamp?
    private var checked = 0
    private var failure: AuditVerification.Failure?
    private var found: [Int64: [UInt8]] = [:]
    private var newestPrune: (id: Int64, detail: String)?
    private var prunes: [(id: Int64, range: AuditPruneRange)] = []

    /// - Parameters:
    ///   - anchor: the id and hash of the last pruned row, nil when never pruned.
    ///   - orderedFrom: rows with a lower id may be out of time order (``AuditOrdering``;
    ///     1 where the engine always kept time in order).
    ///   - expected: rows recorded elsewhere earlier that must still be provable.
    ///   - highestIssuedID: the highest id the engine ever handed out, read in the walk's
    ///     snapshot. Rows deleted from the end leave no successor to break; the engine's
    ///     counter still remembers them.
    package init(
        anchor: (id: Int64, hash: [UInt8])?, orderedFrom: Int64 = 1, expecting expected: [AuditChainPoint],
        highestIssuedID: Int64, progress: @escaping @Sendable (Int, Int) -> Void
    ) {
        self.anchor = anchor
        self.orderedFrom = orderedFrom
        self.expected = expected
        self.wanted = Set(expected.map(\.id)).sorted()
        self.highestIssuedID = highestIssuedID
        self.total = Int(max(0, highestIssuedID - (anchor?.id ?? 0)))
        self.progress = progress
        self.previous = anchor?.hash ?? AuditChain.genesis
        self.expectedID = (anchor?.id ?? 0) + 1
    }

    /// Checks the next row. Returns false once the chain is broken: the caller stops feeding.
    package mutating func check(_ record: AuditRecord) -> Bool {
        check(fields: AuditRecordFields(record: record))
    }

    /// Checks the next row, however it is held (``check(_:)`` for an ``AuditRecord``).
    mutating func check(fields row: some AuditStoredFields) -> Bool {
        let id = row.id
        let digest = hasher.hash(previous: previous, row)
        // Row hashes are public (printed, kept elsewhere): no need for a constant-time compare.
        let matches = row.withStoredHash { digest.matches($0) }
        // A name this binary does not write was read as a default, which the hash covers in
        // place of the stored text: the row was edited even if its hash matches.
        if id != expectedID || !matches || !row.namesAreKnown {
            failure = .brokenChain(at: id)
            return false
        }
        // Queries rely on time never decreasing (`AuditChainTip`); a valid hash with an
        // earlier time means a row written by something other than authd's writer. Rows up
        // to the boundary may be out of order (``AuditOrdering``).
        let time = Timestamp(microseconds: row.microseconds)
        if id > orderedFrom, let previousTime, time < previousTime {
            failure = .timeGoesBackwards(at: id)
            return false
        }
        if row.event == .auditPrune {
            let detail = row.detail
            newestPrune = (id, detail)
            if let range = AuditPruneRange(detail: detail) { prunes.append((id, range)) }
        }
        while nextWanted < wanted.count, wanted[nextWanted] < id { nextWanted += 1 }
        if nextWanted < wanted.count, wanted[nextWanted] == id { found[id] = digest.bytes }
        // The stored hash equals the digest; it is the next row's previous. Written over the
        // old one in place (an anchor hash of another length is replaced, once).
        if previous.count == 32 {
            digest.withUnsafeBytes { bytes in previous.withUnsafeMutableBytes { $0.copyMemory(from: bytes) } }
        } else {
            previous = digest.bytes
        }
        previousTime = time
        expectedID = id + 1
        checked += 1
        if checked % 100_000 == 0 { progress(checked, total) }
        return true
    }

    /// The verdict once every row was fed.
    package func finish() -> AuditVerification {
        var failure = self.failure
        if failure == nil, highestIssuedID >= expectedID { failure = .brokenChain(at: expectedID) }
        let anchorPoint = anchor.map { AuditChainPoint(id: $0.id, hash: Hex.encode($0.hash)) }
        let record = AuditAnchorCheck.record(anchorID: anchor?.id ?? 0, newestPrune: newestPrune)
        if failure == nil, record == .unrecorded { failure = .unrecordedPrune(anchor: anchor?.id ?? 0) }
        // The head is the last row checked; with no row left, the anchor.
        let head = expectedID > 1 ? AuditChainPoint(id: expectedID - 1, hash: Hex.encode(previous)) : nil
        let checks = expected.map { point in
            AuditExpectationCheck(
                expected: point,
                outcome: AuditAnchorCheck.outcome(
                    of: point, anchor: anchorPoint, found: found[point.id], record: record, prunes: prunes))
        }
        // Reported from the first row checked when pruning has passed the boundary.
        return AuditVerification(
            checked: checked, failure: failure, headHash: Hex.encode(previous),
            orderCheckedFrom: max(orderedFrom, (anchor?.id ?? 0) + 1), anchor: anchorPoint, head: head,
            anchorRecord: record, expectations: checks)
    }
}
