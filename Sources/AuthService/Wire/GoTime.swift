import Foundation

/// Formats a moment the way Go's `time.Time.String()` does, which is what deployed clients
/// see in the `time` field: `2022-06-13 17:54:10.137992 -0300 -03 m=+19746.016009415`.
///
/// Wall time in the server's zone (`TZ`; UTC when unset), the fraction of a second with
/// trailing zeros removed (no dot when zero), the numeric offset, the tz database's
/// abbreviation, and `m=` seconds of a monotonic clock since the process started.
public enum GoTime {
    /// A reading of both clocks.
    public struct Instant: Sendable {
        /// Wall clock: seconds and nanoseconds since the Unix epoch.
        public var seconds: Int
        public var nanoseconds: Int
        /// Monotonic nanoseconds since the process started.
        public var monotonicNanoseconds: Int64

        public init(seconds: Int, nanoseconds: Int, monotonicNanoseconds: Int64) {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
            self.monotonicNanoseconds = monotonicNanoseconds
        }

        /// Both clocks now.
        public static func now() -> Instant {
            // Read the origin first: on first use it is set now, and must not be later
            // than the reading below (that would print a negative m=).
            let origin = processStart
            var wall = timespec()
            clock_gettime(CLOCK_REALTIME, &wall)
            return Instant(
                seconds: wall.tv_sec, nanoseconds: wall.tv_nsec,
                monotonicNanoseconds: monotonicNow() - origin)
        }
    }

    /// Monotonic clock at process start (first use of `GoTime`, which `serve` triggers
    /// before it listens by calling ``start()``).
    private static let processStart: Int64 = monotonicNow()

    /// Fixes the monotonic origin; call once at startup.
    public static func start() {
        _ = processStart
        tzset()
    }

    private static func monotonicNow() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// The current time in Go's format.
    public static func now() -> String {
        format(.now())
    }

    /// `instant` in Go's format.
    /// - Parameter localZone: use the zone named by `TZ`; by default only when `TZ` is set,
    ///   since docs/api.md fixes UTC for an unset `TZ` (glibc would read /etc/localtime instead).
    public static func format(_ instant: Instant, localZone: Bool = getenv("TZ") != nil) -> String {
        var time = time_t(instant.seconds)
        var parts = tm()
        let abbreviation: String
        let offset: Int
        if !localZone {
            gmtime_r(&time, &parts)
            abbreviation = "UTC"
            offset = 0
        } else {
            localtime_r(&time, &parts)
            abbreviation = parts.tm_zone.map { String(cString: $0) } ?? "UTC"
            offset = parts.tm_gmtoff
        }
        var text = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
        text += " \(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
        text += fraction(instant.nanoseconds)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        text += " \(sign)\(pad(minutes / 60, 2))\(pad(minutes % 60, 2)) \(abbreviation)"
        let monotonic = instant.monotonicNanoseconds
        let monotonicSign = monotonic < 0 ? "-" : "+"
        let magnitude = monotonic.magnitude
        text += " m=\(monotonicSign)\(magnitude / 1_000_000_000).\(pad(Int(magnitude % 1_000_000_000), 9))"
        return text
    }

    /// `.137992` for 137_992_000 ns; empty for zero.
    private static func fraction(_ nanoseconds: Int) -> String {
        guard nanoseconds > 0 else { return "" }
        var digits = pad(nanoseconds, 9)
        while digits.last == "0" { digits.removeLast() }
        return "." + digits
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
