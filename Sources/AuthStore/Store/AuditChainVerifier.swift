/// Checks the audit chain from rows fed to it in id order.
///
/// Plain code over values: each engine streams its rows into one of these (SQLite from a
/// reader, PostgreSQL from a cursor), so there is one definition of an intact chain.
/// Memory stays flat however long the log is: only the expected rows' hashes are kept.
package struct AuditChainVerifier {
    private let anchor: (id: Int64, hash: [UInt8])?
    private let orderedFrom: Int64
    private let expected: [AuditChainPoint]
    private let wanted: Set<Int64>
    private let total: Int
    private let progress: @Sendable (Int, Int) -> Void

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
    ///   - total: rows to check, for `progress`.
    package init(
        anchor: (id: Int64, hash: [UInt8])?, orderedFrom: Int64 = 1, expecting expected: [AuditChainPoint],
        total: Int, progress: @escaping @Sendable (Int, Int) -> Void
    ) {
        self.anchor = anchor
        self.orderedFrom = orderedFrom
        self.expected = expected
        self.wanted = Set(expected.map(\.id))
        self.total = total
        self.progress = progress
        self.previous = anchor?.hash ?? AuditChain.genesis
        self.expectedID = (anchor?.id ?? 0) + 1
    }

    /// Checks the next row. Returns false once the chain is broken: the caller stops feeding.
    package mutating func check(_ record: AuditRecord) -> Bool {
        let hash = AuditChain.hash(previous: previous, id: record.id, time: record.time, entry: record.entry)
        if record.id != expectedID || !ConstantTime.equal(hash, record.hash) {
            failure = .brokenChain(at: record.id)
            return false
        }
        // Queries rely on time never decreasing (`AuditChainTip`); a valid hash with an
        // earlier time means a row written by something other than authd's writer. Rows up
        // to the boundary may be out of order (``AuditOrdering``).
        if record.id > orderedFrom, let previousTime, record.time < previousTime {
            failure = .timeGoesBackwards(at: record.id)
            return false
        }
        if record.entry.event == .auditPrune {
            newestPrune = (record.id, record.entry.detail)
            if let range = AuditPruneRange(detail: record.entry.detail) { prunes.append((record.id, range)) }
        }
        if wanted.contains(record.id) { found[record.id] = record.hash }
        previous = record.hash
        previousTime = record.time
        expectedID = record.id + 1
        checked += 1
        if checked % 100_000 == 0 { progress(checked, total) }
        return true
    }

    /// The verdict once every row was fed.
    ///
    /// - Parameter highestIssuedID: the highest id the engine ever handed out. Rows deleted
    ///   from the end leave no successor to break; the engine's counter still remembers them.
    package func finish(highestIssuedID: Int64) -> AuditVerification {
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
