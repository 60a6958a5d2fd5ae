import Foundation

/// A point in time as Unix microseconds (UTC): what the database stores and the audit log
/// shows, exact and cheap to compare.
public struct Timestamp: Sendable, Hashable, Comparable, Codable {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Saturates at the ends of the range, like the arithmetic below.
    public init(seconds: Int64) {
        self.microseconds = Self.saturating(seconds.multipliedReportingOverflow(by: 1_000_000), sign: seconds.signum())
    }

    /// The wall clock now.
    @Sendable public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    /// Saturating: a time plus or minus any duration stays a valid time (at worst the first
    /// or last representable microsecond) instead of trapping, because durations reach here
    /// from command-line and config input.
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let delta = rhs.wholeMicroseconds
        return Timestamp(
            microseconds: saturating(lhs.microseconds.addingReportingOverflow(delta), sign: delta.signum()))
    }

    /// Saturating, as ``+(_:_:)``.
    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let delta = rhs.wholeMicroseconds
        return Timestamp(
            microseconds: saturating(lhs.microseconds.subtractingReportingOverflow(delta), sign: -delta.signum()))
    }

    /// The result, or the end of the range it overflowed towards.
    fileprivate static func saturating(_ result: (partialValue: Int64, overflow: Bool), sign: Int64) -> Int64 {
        guard result.overflow else { return result.partialValue }
        return sign < 0 ? .min : .max
    }

    /// UTC ISO 8601 with microseconds, e.g. `2026-11-23T09:15:02.123456Z`.
    public var iso8601: String {
        // Floor division without `microseconds - 999_999`, which overflows near Int64.min.
        var (seconds, fraction) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
    }
}

extension Duration {
    /// The duration in whole microseconds (truncated), saturating at Int64's range: a
    /// duration of more than 292,000 years has no microsecond count, and must not trap.
    public var wholeMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000)
        guard !overflow, !sumOverflow else { return seconds < 0 ? .min : .max }
        return sum
    }
}
