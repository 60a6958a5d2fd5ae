/// An `audit_log` row read in place from its statement, for `audit verify`: the texts are
/// hashed and the stored hash compared straight from SQLite's column buffers, where building
/// an ``AuditRecord`` per row (a `String` per text column, arrays for the hash) cost most of
/// the walk's time.
///
/// Reads the columns in ``AuditRecord/storedColumns`` order. Valid only until the statement
/// steps on. The event, outcome and reason are read as ``AuditRecord``'s `init(stored:…)`
/// reads them (``StoredAuditNames``: a name this binary does not know counts as its default
/// and marks the row, ``namesAreKnown``), and hashed as that name: a row's verdict is the
/// same read either way. The other texts are hashed as stored; authd only ever writes valid UTF-8, which a
/// `String` would hold byte for byte.
struct SQLiteAuditRow: AuditStoredFields {
    private let row: Row
    let event: AuditEvent
    private let outcome: AuditOutcome
    private let reason: AuditReason?
    let namesAreKnown: Bool

    init(_ row: Row) {
        self.row = row
        let event = row.withText(2) { AuditEvent(knownName: $0) }
        let outcome = row.withText(3) { AuditOutcome(knownName: $0) }
        let (reason, reasonIsEmpty) = row.withText(4) { (AuditReason(knownName: $0), $0.isEmpty) }
        let names = StoredAuditNames(event: event, outcome: outcome, reason: reason, reasonIsEmpty: reasonIsEmpty)
        self.event = names.event
        self.outcome = names.outcome
        self.reason = names.reason
        namesAreKnown = names.areKnown
    }

    var id: Int64 { row.int64(0) }
    var microseconds: Int64 { row.int64(1) }
    var count: Int64 { row.int64(11) }
    var detail: String { row.string(12) }

    func withUTF8<R>(_ field: AuditTextField, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var name: String
        switch field {
        case .event: name = event.rawValue
        case .outcome: name = outcome.rawValue
        case .reason: name = reason?.rawValue ?? ""
        case .username: return row.withText(5, body)
        case .session: return row.withText(6, body)
        case .address: return row.withText(7, body)
        case .userAgent: return row.withText(8, body)
        case .requestID: return row.withText(9, body)
        case .detail: return row.withText(12, body)
        }
        return name.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    func withStoredHash<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        row.withBlob(10, body)
    }
}
