import AuthStore
import Foundation

/// `--since`/`--until`/`--before` values: ISO 8601 (`2026-11-23`, `2026-11-23T09:00:00Z`,
/// with fraction or offset) or a duration ago (`90s`, `30m`, `24h`, `7d`).
enum TimeParser {
    /// Why a text is not a time.
    enum Failure: Error, Equatable {
        case malformed
        /// A duration past ``DurationParser/maximumDays``.
        case outOfRange
    }

    static func parse(_ text: String, now: Timestamp = .now()) -> Timestamp? {
        try? check(text, now: now).get()
    }

    /// The time, or why `text` is not one. Never traps: the duration is bounded and
    /// subtracted with saturating arithmetic, and a date too far out for Int64
    /// microseconds is malformed.
    static func check(_ text: String, now: Timestamp = .now()) -> Result<Timestamp, Failure> {
        switch DurationParser.check(text) {
        case .success(let duration): return .success(now - duration)
        case .failure(.outOfRange): return .failure(.outOfRange)
        case .failure(.malformed): break
        }
        let formatters: [ISO8601DateFormatter.Options] = [
            [.withInternetDateTime, .withFractionalSeconds],
            [.withInternetDateTime],
            [.withFullDate],
        ]
        for options in formatters {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            formatter.timeZone = TimeZone(identifier: "UTC")
            if let date = formatter.date(from: text) {
                // `Int64(_:)` of a Double traps when it does not fit; `exactly:` says nil.
                guard let microseconds = Int64(exactly: (date.timeIntervalSince1970 * 1_000_000).rounded()) else {
                    return .failure(.malformed)
                }
                return .success(Timestamp(microseconds: microseconds))
            }
        }
        return .failure(.malformed)
    }

    static func require(_ text: String, option: String) throws -> Timestamp {
        switch check(text) {
        case .success(let time):
            return time
        case .failure(.outOfRange):
            throw CommandFailure(
                "invalid \(option) \"\(text)\": a duration ago is at most \(DurationParser.maximumDays)d (100 years)")
        case .failure(.malformed):
            throw CommandFailure(
                "invalid \(option) \"\(text)\": use ISO 8601 (2026-11-23 or 2026-11-23T09:00:00Z) or a duration ago (24h, 7d)"
            )
        }
    }
}
