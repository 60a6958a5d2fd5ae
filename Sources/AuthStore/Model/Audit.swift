/// What an audit row records. Raw values are the names shown and queried (docs/cli.md).
public enum AuditEvent: String, Sendable, CaseIterable, Codable {
    case login, logout
    case logoutAll = "logout_all"
    case verify
    case userAdd = "user_add"
    case userPasswd = "user_passwd"
    case userDisable = "user_disable"
    case userEnable = "user_enable"
    case userDelete = "user_delete"
    /// A user created by `authd user import` with a hash from another system.
    case userImport = "user_import"
    case sessionRevoke = "session_revoke"
    case auditPrune = "audit_prune"
    /// An operator lifted a login throttle (`authd throttle clear`).
    case throttleClear = "throttle_clear"
}

public enum AuditOutcome: String, Sendable, CaseIterable, Codable {
    case success, failure
}

/// Why an attempt failed.
public enum AuditReason: String, Sendable, CaseIterable, Codable {
    case unknownUser = "unknown_user"
    case badPassword = "bad_password"
    case disabled, throttled, malformed
    case badToken = "bad_token"
    case expired
    /// Refused with 503 before any check: the hashing queue was full.
    case unavailable
}

/// Where a change came from: the HTTP request, or the CLI for admin commands.
public struct AuditContext: Sendable, Equatable {
    public var address: String
    public var userAgent: String
    public var requestID: String

    public init(address: String = "", userAgent: String = "", requestID: String = "") {
        self.address = address
        self.userAgent = userAgent
        self.requestID = requestID
    }

    /// Admin commands run on the host itself: the address says so.
    public static let commandLine = AuditContext(address: "local", userAgent: "authd-cli")
}

/// One row to append to the audit log.
public struct AuditEntry: Sendable, Equatable {
    public var event: AuditEvent
    public var outcome: AuditOutcome
    public var reason: AuditReason?
    public var username: String
    public var session: String
    public var context: AuditContext
    /// How many occurrences this row stands for: 1, except on a row that sums refused
    /// anonymous requests of one kind over a window (docs/api.md "Audit trail"). At least 1.
    public var count: Int
    /// What the row needs to say that no other field holds; empty except on `audit_prune`
    /// rows, which record the id range they remove (``AuditPruneRange``).
    public var detail: String

    public init(
        event: AuditEvent, outcome: AuditOutcome, reason: AuditReason? = nil, username: String = "",
        session: String = "", context: AuditContext, count: Int = 1, detail: String = ""
    ) {
        self.event = event
        self.outcome = outcome
        self.reason = reason
        self.username = username
        self.session = session
        self.context = context
        self.count = count
        self.detail = detail
    }

    public static func success(_ event: AuditEvent, username: String, session: String = "", context: AuditContext)
        -> Self
    {
        AuditEntry(event: event, outcome: .success, username: username, session: session, context: context)
    }

    public static func failure(
        _ event: AuditEvent, _ reason: AuditReason, username: String = "", session: String = "",
        context: AuditContext, count: Int = 1
    ) -> Self {
        AuditEntry(
            event: event, outcome: .failure, reason: reason, username: username, session: session, context: context,
            count: count)
    }
}

/// A stored audit row.
public struct AuditRecord: Sendable, Equatable {
    public let id: Int64
    public let time: Timestamp
    public let entry: AuditEntry
    public let hash: [UInt8]
    /// Whether the stored event, outcome and reason are names this binary writes. A row
    /// read from storage with any other name holds a default in `entry` instead, and a hash
    /// computed over that default could match the original row's: `audit verify` fails such
    /// a row by this flag rather than by its hash.
    package let namesAreKnown: Bool

    package init(id: Int64, time: Timestamp, entry: AuditEntry, hash: [UInt8], namesAreKnown: Bool = true) {
        self.id = id
        self.time = time
        self.entry = entry
        self.hash = hash
        self.namesAreKnown = namesAreKnown
    }

    /// The `audit_log` columns every engine selects, in the order ``init(stored:)`` reads.
    package static let storedColumns =
        "id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash, count, detail"

    /// A row as an engine read it, in ``storedColumns`` order. An event, outcome or reason
    /// this binary does not know cannot have been written by it; such a row reads as a failed
    /// login (without a reason) and is marked, so that `audit verify` names it
    /// (``namesAreKnown``).
    package init(
        stored id: Int64, time: Int64, event: String, outcome: String, reason: String, username: String,
        session: String, address: String, userAgent: String, requestID: String, hash: [UInt8], count: Int,
        detail: String
    ) {
        let names = StoredAuditNames(
            event: AuditEvent(rawValue: event), outcome: AuditOutcome(rawValue: outcome),
            reason: AuditReason(rawValue: reason), reasonIsEmpty: reason.isEmpty)
        let entry = AuditEntry(
            event: names.event, outcome: names.outcome, reason: names.reason, username: username, session: session,
            context: AuditContext(address: address, userAgent: userAgent, requestID: requestID),
            count: count, detail: detail)
        self.init(
            id: id, time: Timestamp(microseconds: time), entry: entry, hash: hash, namesAreKnown: names.areKnown)
    }
}

/// The event, outcome and reason of a stored row, given the ones this binary recognised in
/// it (nil where it did not). The one rule both ways of reading a row share
/// (``AuditRecord``'s `init(stored:…)`, and `audit verify` reading SQLite's buffers in place):
/// an unknown event reads as `.login`, an unknown outcome as `.failure`, an unknown reason as
/// none, and the row is marked as not written by authd.
struct StoredAuditNames {
    let event: AuditEvent
    let outcome: AuditOutcome
    let reason: AuditReason?
    /// Every name was recognised (an empty reason means none).
    let areKnown: Bool

    init(event: AuditEvent?, outcome: AuditOutcome?, reason: AuditReason?, reasonIsEmpty: Bool) {
        self.event = event ?? .login
        self.outcome = outcome ?? .failure
        self.reason = reason
        areKnown = event != nil && outcome != nil && (reasonIsEmpty || reason != nil)
    }
}

extension AuditEvent {
    private static let names = StoredNames<AuditEvent>()

    /// The event named by these bytes, if this binary writes that name: `audit verify` reads
    /// names from SQLite's buffers without making a `String`.
    init?(knownName utf8: UnsafeRawBufferPointer) {
        guard let event = Self.names.named(utf8) else { return nil }
        self = event
    }
}

extension AuditOutcome {
    private static let names = StoredNames<AuditOutcome>()

    /// The outcome named by these bytes, if this binary writes that name.
    init?(knownName utf8: UnsafeRawBufferPointer) {
        guard let outcome = Self.names.named(utf8) else { return nil }
        self = outcome
    }
}

extension AuditReason {
    private static let names = StoredNames<AuditReason>()

    /// The reason named by these bytes, if this binary writes that name.
    init?(knownName utf8: UnsafeRawBufferPointer) {
        guard let reason = Self.names.named(utf8) else { return nil }
        self = reason
    }
}

/// The cases of a `String`-backed enum by the UTF-8 bytes of their names, looked up without
/// making a `String` (nor `init(rawValue:)`'s string comparisons): `audit verify` reads three
/// names per row, millions of rows. Bytes match a name exactly when the `String`s would be
/// equal, since every name is plain ASCII.
struct StoredNames<Name: RawRepresentable & CaseIterable & Sendable>: Sendable where Name.RawValue == String {
    /// Each name as its length and its bytes packed into two words (names are at most 16 bytes).
    private let keys: [(count: Int, low: UInt64, high: UInt64, name: Name)]

    init() {
        keys = Name.allCases.map { name in
            var raw = name.rawValue
            return raw.withUTF8 { utf8 in
                precondition(utf8.count <= 16, "stored names are at most 16 bytes")
                let (low, high) = Self.pack(UnsafeRawBufferPointer(utf8))
                return (utf8.count, low, high, name)
            }
        }
    }

    /// The case named `utf8`, or nil.
    func named(_ utf8: UnsafeRawBufferPointer) -> Name? {
        guard utf8.count <= 16 else { return nil }
        let (low, high) = Self.pack(utf8)
        for key in keys where key.count == utf8.count && key.low == low && key.high == high {
            return key.name
        }
        return nil
    }

    private static func pack(_ utf8: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: utf8) }
        return words
    }
}
