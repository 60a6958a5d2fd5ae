/// `90s`, `30m`, `8h`, `7d` (and `0` for "off" where allowed), from 0 to ``maximumDays``.
///
/// Every duration option and every "a duration ago" time goes through here, and the values
/// end up in timestamp arithmetic, so the parser multiplies with overflow checks and refuses
/// anything past a bound no setting needs: `999999999d` is an error, never a trap.
enum DurationParser {
    /// 100 years: beyond any session lifetime or audit retention, and far enough inside
    /// Int64 microseconds that "now minus this" and "now plus this" cannot overflow.
    static let maximumDays: Int64 = 36_500

    /// Why a text is not a duration.
    enum Failure: Error, Equatable {
        /// Not a number followed by s, m, h or d.
        case malformed
        /// A number, but more than ``maximumDays``.
        case outOfRange
    }

    static func parse(_ text: String) -> Duration? {
        try? check(text).get()
    }

    /// The duration, or why `text` is not one.
    static func check(_ text: String) -> Result<Duration, Failure> {
        if text == "0" { return .success(.zero) }
        guard let unit = text.last, let number = Int64(text.dropLast()), number >= 0 else {
            return .failure(.malformed)
        }
        let unitSeconds: Int64
        switch unit {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3_600
        case "d": unitSeconds = 86_400
        default: return .failure(.malformed)
        }
        let (seconds, overflow) = number.multipliedReportingOverflow(by: unitSeconds)
        guard !overflow, seconds <= maximumDays * 86_400 else { return .failure(.outOfRange) }
        return .success(.seconds(seconds))
    }

    /// Parses or fails with a one-line message naming the option.
    static func require(_ text: String, option: String) throws -> Duration {
        switch check(text) {
        case .success(let duration):
            return duration
        case .failure(.malformed):
            throw CommandFailure("invalid \(option) \"\(text)\": use a number with s, m, h or d, like 30m or 8h")
        case .failure(.outOfRange):
            throw CommandFailure("invalid \(option) \"\(text)\": at most \(maximumDays)d (100 years)")
        }
    }
}
