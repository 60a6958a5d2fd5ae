/// The rows one `audit prune` removes, recorded in its `audit_prune` row's `detail`.
///
/// A prune decides its range and appends its row in one transaction before it deletes
/// anything, so no row is ever gone without a committed record of the prune that removed
/// it. `audit verify` reads the newest such record to tell an honest prune from rows
/// removed by hand (``AuditVerification/AnchorRecord``).
public struct AuditPruneRange: Sendable, Equatable {
    /// The first id the prune removes: one past the anchor when it began (1 when the log had
    /// never been pruned).
    public let first: Int64
    /// The last id it removes; `first - 1` when there was nothing to remove. Once the prune
    /// has finished, the anchor is this row.
    public let last: Int64
    /// How many rows the range held when the prune began.
    public let rows: Int

    public init(first: Int64, last: Int64, rows: Int) {
        self.first = first
        self.last = last
        self.rows = rows
    }

    /// Whether `id` is one of the removed ids.
    public func contains(_ id: Int64) -> Bool { first <= id && id <= last }

    /// The text stored in `detail`: `from=F through=L rows=R before=T`, T the cutoff asked
    /// for (ISO 8601). Keys and order are fixed; the reader ignores keys it does not know.
    public func detail(before cutoff: Timestamp) -> String {
        "from=\(first) through=\(last) rows=\(rows) before=\(cutoff.iso8601)"
    }

    /// Reads ``detail(before:)``; `nil` for an `audit_prune` row written before migration
    /// 0004, which recorded no range, or for any other text.
    public init?(detail: String) {
        var values: [Substring: Int64] = [:]
        for pair in detail.split(separator: " ") {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            values[pair[..<equals]] = Int64(pair[pair.index(after: equals)...])
        }
        guard let first = values["from"], let last = values["through"], let rows = values["rows"],
            first >= 1, last >= first - 1, rows >= 0, let count = Int(exactly: rows)
        else { return nil }
        self.init(first: first, last: last, rows: count)
    }
}
