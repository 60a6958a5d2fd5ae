/// Limits on failed logins in a sliding window (API.md "Throttling").
public struct ThrottlePolicy: Sendable, Equatable {
    /// Failures allowed per username and client address within `window`.
    public var perUserAndAddress: Int
    /// Failures allowed per client address within `window`, whatever the usernames.
    public var perAddress: Int
    public var window: Duration

    public init(perUserAndAddress: Int = 5, perAddress: Int = 50, window: Duration = .seconds(300)) {
        self.perUserAndAddress = perUserAndAddress
        self.perAddress = perAddress
        self.window = window
    }
}

/// Whether an attempt may go on to the password check.
public enum ThrottleDecision: Sendable, Equatable {
    case allowed
    /// Too many recent failures; try again after this many seconds (at least 1).
    case blocked(retryAfterSeconds: Int)
}

/// A failure counter as `authd throttle list` shows it.
public struct ThrottleEntry: Sendable, Equatable {
    public let username: String
    public let address: String
    public let failures: Int
    public let first: Timestamp
    public let last: Timestamp
}
