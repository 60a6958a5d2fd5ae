import AuthStore
import Foundation

/// `--since`/`--until`/`--before` values: ISO 8601 (`2026-11-23`, `2026-11-23T09:00:00Z`,
/// with fraction or offset) or a duration ago (`90s`, `30m`, `24h`, `7d`).
enum TimeParser {
    static func parse(_ text: String, now: Timestamp = .now()) -> Timestamp? {
        if let duration = DurationParser.parse(text) {
            return now - duration
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
                return Timestamp(microseconds: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
            }
        }
        return nil
    }

    static func require(_ text: String, option: String) throws -> Timestamp {
        guard let time = parse(text) else {
            throw CommandFailure(
                "invalid \(option) \"\(text)\": use ISO 8601 (2026-11-23 or 2026-11-23T09:00:00Z) or a duration ago (24h, 7d)"
            )
        }
        return time
    }
}
