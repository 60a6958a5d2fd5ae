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

    package init(id: Int64, time: Timestamp, entry: AuditEntry, hash: [UInt8]) {
        self.id = id
        self.time = time
        self.entry = entry
        self.hash = hash
    }

    /// The `audit_log` columns every engine selects, in the order ``init(stored:)`` reads.
    package static let storedColumns =
        "id, time, event, outcome, reason, username, session, address, user_agent, request_id, hash, count, detail"

    /// A row as an engine read it, in ``storedColumns`` order. An event or outcome this binary
    /// does not know cannot be written by it; such a row reads as a failed login, and its
    /// hash (over the stored text) no longer matches, so `audit verify` names it.
    package init(
        stored id: Int64, time: Int64, event: String, outcome: String, reason: String, username: String,
        session: String, address: String, userAgent: String, requestID: String, hash: [UInt8], count: Int,
        detail: String
    ) {
        let entry = AuditEntry(
            event: AuditEvent(rawValue: event) ?? .login, outcome: AuditOutcome(rawValue: outcome) ?? .failure,
            reason: AuditReason(rawValue: reason), username: username, session: session,
            context: AuditContext(address: address, userAgent: userAgent, requestID: requestID),
            count: count, detail: detail)
        self.init(id: id, time: Timestamp(microseconds: time), entry: entry, hash: hash)
    }
}
