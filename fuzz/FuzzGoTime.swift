// libFuzzer entry for `GoTime.format(_:localZone:)` (Sources/AuthService/Wire/GoTime.swift).
// Built by fuzz/build.sh; never part of the Swift package or `swift test`.
import Foundation

private func readInt64(_ bytes: [UInt8], _ offset: Int) -> Int64 {
    var value: UInt64 = 0
    for i in 0..<8 where offset + i < bytes.count { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
    return Int64(bitPattern: value)
}

private func isDigits(_ s: Substring, count: Int? = nil) -> Bool {
    !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } && (count == nil || s.count == count!)
}

/// Go's `time.Time.String()` shape:
/// `YYYY-MM-DD HH:MM:SS[.fffffffff] ±HHMM ABBR m=±S.NNNNNNNNN`
private func checkShape(_ text: String, _ instant: GoTime.Instant, utc: Bool) {
    let fields = text.split(separator: " ", omittingEmptySubsequences: false)
    precondition(fields.count == 5, "expected 5 space-separated fields: \(text)")
    let date = fields[0].split(separator: "-", omittingEmptySubsequences: false)
    precondition(
        date.count == 3 && isDigits(date[0], count: 4) && isDigits(date[1], count: 2)
            && isDigits(date[2], count: 2), "bad date: \(text)")
    let clockAndFraction = fields[1].split(separator: ".", omittingEmptySubsequences: false)
    precondition(clockAndFraction.count <= 2, "bad time: \(text)")
    let clock = clockAndFraction[0].split(separator: ":", omittingEmptySubsequences: false)
    precondition(clock.count == 3 && clock.allSatisfy { isDigits($0, count: 2) }, "bad clock: \(text)")
    precondition(Int(clock[0])! < 24 && Int(clock[1])! < 60 && Int(clock[2])! < 61, "clock out of range: \(text)")
    precondition(
        Int(date[1])! >= 1 && Int(date[1])! <= 12 && Int(date[2])! >= 1 && Int(date[2])! <= 31,
        "date out of range: \(text)")
    if clockAndFraction.count == 2 {
        let fraction = clockAndFraction[1]
        precondition(isDigits(fraction) && fraction.count <= 9 && fraction.last != "0", "bad fraction: \(text)")
        // The digits are the nanoseconds, zero-padded to 9, trailing zeros removed.
        let ns = Int(fraction + String(repeating: "0", count: 9 - fraction.count))!
        precondition(ns == instant.nanoseconds, "fraction does not match nanoseconds: \(text)")
    } else {
        precondition(instant.nanoseconds == 0, "fraction missing for non-zero nanoseconds: \(text)")
    }
    let offset = fields[2]
    precondition(
        offset.count == 5 && (offset.first == "+" || offset.first == "-")
            && isDigits(offset.dropFirst(), count: 4), "bad offset: \(text)")
    precondition(!fields[3].isEmpty, "empty zone abbreviation: \(text)")
    if utc { precondition(offset == "+0000" && fields[3] == "UTC", "UTC expected: \(text)") }
    let mono = fields[4]
    precondition(mono.hasPrefix("m=+") || mono.hasPrefix("m=-"), "bad m=: \(text)")
    let monoParts = mono.dropFirst(3).split(separator: ".", omittingEmptySubsequences: false)
    precondition(
        monoParts.count == 2 && isDigits(monoParts[0]) && isDigits(monoParts[1], count: 9), "bad m= value: \(text)")
    let magnitude = instant.monotonicNanoseconds.magnitude
    precondition(
        UInt64(monoParts[0]) == magnitude / 1_000_000_000
            && UInt64(monoParts[1]) == magnitude % 1_000_000_000, "m= does not match: \(text)")
    precondition(mono.hasPrefix("m=-") == (instant.monotonicNanoseconds < 0), "m= sign: \(text)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGoTime(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let mode = bytes.first ?? 0
    let rest = Array(bytes.dropFirst())
    // Seconds within years 0001...9999 (Go's own range for this layout; 4-digit years),
    // unless mode bit 0 asks for the raw 64-bit value to probe the edges.
    let rawSeconds = readInt64(rest, 0)
    let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z
    let span = UInt64(maxSeconds - minSeconds + 1)
    let seconds = Int(minSeconds + Int64(rawSeconds.magnitude % span))
    let nanoseconds = Int(readInt64(rest, 8).magnitude % 1_000_000_000)
    var monotonic = readInt64(rest, 16)
    if mode & 2 == 0 { monotonic = Int64(monotonic.magnitude % 1_000_000_000_000_000) }  // ~31 years, positive
    let instant = GoTime.Instant(seconds: seconds, nanoseconds: nanoseconds, monotonicNanoseconds: monotonic)
    checkShape(GoTime.format(instant, localZone: false), instant, utc: true)
    if mode & 4 != 0 {
        // The server's zone: TZ is set by run.sh for this process (see fuzz/README.md).
        checkShape(GoTime.format(instant, localZone: true), instant, utc: false)
    }
    return 0
}
