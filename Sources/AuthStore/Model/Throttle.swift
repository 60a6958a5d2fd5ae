/// Limits on failed logins in a sliding window (docs/api.md "Throttling").
public struct ThrottlePolicy: Sendable, Equatable {
    /// Failures allowed per username and client address within `window`.
    public var perUserAndAddress: Int
    /// Failures allowed per client address within `window`, whatever the usernames.
    public var perAddress: Int
    public var window: Duration
    /// How long an admitted attempt may stay undecided before it counts as a failure: a
    /// check never takes this long, so an older pending slot belongs to a server that died
    /// mid-check, and must not keep others waiting.
    public var pendingLifetime: Duration

    public init(
        perUserAndAddress: Int = 5, perAddress: Int = 50, window: Duration = .seconds(300),
        pendingLifetime: Duration = .seconds(60)
    ) {
        self.perUserAndAddress = perUserAndAddress
        self.perAddress = perAddress
        self.window = window
        self.pendingLifetime = pendingLifetime
    }
}

/// Whether an attempt may go on to the password check.
public enum ThrottleAdmission: Sendable, Equatable {
    /// The attempt holds a slot in both counters from now on (a pending row): it counts as
    /// a failure unless it succeeds (which clears the username+address count) or is released.
    case admitted(AttemptReservation)
    /// Too many recent failures; try again after this many seconds (at least 1).
    case blocked(retryAfterSeconds: Int)
    /// The limit is reached only because attempts are still being checked; ask again once
    /// they are decided (they may succeed and clear the count).
    case busy
}

extension ThrottleAdmission {
    /// The refusal for a counter at its limit, whose failure that brings the count back under
    /// the limit when it leaves the window was recorded at `failure` (microseconds): retry
    /// once it has, in whole seconds, at least 1.
    package static func blocked(untilExpiryOf failure: Int64, window: Duration, now: Timestamp) -> ThrottleAdmission {
        let remaining = failure + window.wholeMicroseconds - now.microseconds
        return .blocked(retryAfterSeconds: max(1, Int((remaining + 999_999) / 1_000_000)))
    }

    /// What the counters' verdicts (nil: under its limit) add up to: the longest block, else
    /// busy if any counter is full of attempts still being checked, else nil (admit).
    package static func strongest(_ verdicts: [ThrottleAdmission?]) -> ThrottleAdmission? {
        let verdicts = verdicts.compactMap { $0 }
        let blocked = verdicts.compactMap { verdict -> Int? in
            if case .blocked(let seconds) = verdict { return seconds }
            return nil
        }
        if let seconds = blocked.max() { return .blocked(retryAfterSeconds: seconds) }
        return verdicts.isEmpty ? nil : .busy
    }
}

/// A slot taken in the failure counters by an admitted attempt, before its outcome is known.
public struct AttemptReservation: Sendable, Equatable {
    public let id: Int64

    public init(id: Int64) {
        self.id = id
    }
}

/// A failure counter as `authd throttle list` shows it.
public struct ThrottleEntry: Sendable, Equatable {
    public let username: String
    public let address: String
    public let failures: Int
    public let first: Timestamp
    public let last: Timestamp

    package init(username: String, address: String, failures: Int, first: Timestamp, last: Timestamp) {
        self.username = username
        self.address = address
        self.failures = failures
        self.first = first
        self.last = last
    }
}
