import AuthStore
import Foundation
import PropertyBased
import Testing

@testable import authd

/// The duration and time parsers see whatever an operator (or a config file) types, and
/// their results go straight into timestamp arithmetic: no input may trap, and what they
/// accept stays inside the documented range.
@Suite("duration and time input: range-checked, never a trap")
struct DurationPropertyTests {
    static let factors: [String: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
    static let limit = DurationParser.maximumDays * 86_400

    @Test("any number with any unit: accepted exactly when it is 0 to 36500d, and never traps")
    func numberAndUnit() async {
        // Whole Int64 range, and the region around the bound where off-by-one errors live.
        let anyNumber = Gen.int64(in: .min ... .max)
        let nearBound = Gen.int64(in: 0...(DurationParser.maximumDays * 86_400 + 1))
        let units = Gen.element(of: ["s", "m", "h", "d", "", "x", "ms"])
        await propertyCheck(count: 1_000, input: anyNumber, nearBound, units) { wide, near, unit in
            let unit = unit ?? ""
            for number in [wide, near, near / 60, near / 3_600, near / 86_400, near / 86_400 + 1] {
                let text = "\(number)\(unit)"
                let result = DurationParser.check(text)
                guard text != "0" else {
                    #expect(result == .success(.zero))
                    continue
                }
                guard let factor = Self.factors[unit], number >= 0 else {
                    #expect(result == .failure(.malformed), "\(text)")
                    continue
                }
                let (total, overflow) = number.multipliedReportingOverflow(by: factor)
                if !overflow, total <= Self.limit {
                    #expect(result == .success(.seconds(total)), "\(text)")
                } else {
                    #expect(result == .failure(.outOfRange), "\(text)")
                }
                // "A duration ago" from any clock reading is a time, or the same range error.
                _ = TimeParser.check(text, now: Timestamp(microseconds: wide))
            }
        }
    }

    @Test("any text: parses or fails, never traps, and what parses is in range")
    func anyText() async {
        let text = Gen.character(in: " "..."\u{7f}").string(of: 0...30)
        await propertyCheck(count: 1_000, input: text) { text in
            if case .success(let duration) = DurationParser.check(text) {
                #expect(duration >= .zero && duration <= .seconds(Self.limit), "\(text)")
            }
            _ = TimeParser.check(text)
            _ = TimeParser.check(text + "d")
        }
    }

    @Test("the examples of the docs, and the absurd value of the bug report")
    func examples() {
        #expect(DurationParser.parse("90s") == .seconds(90))
        #expect(DurationParser.parse("30m") == .seconds(1_800))
        #expect(DurationParser.parse("8h") == .seconds(28_800))
        #expect(DurationParser.parse("7d") == .seconds(604_800))
        #expect(DurationParser.parse("36500d") == .seconds(36_500 * 86_400))
        #expect(DurationParser.check("36501d") == .failure(.outOfRange))
        #expect(DurationParser.check("999999999d") == .failure(.outOfRange))
        #expect(DurationParser.check("9223372036854775807d") == .failure(.outOfRange))
        #expect(TimeParser.check("999999999d") == .failure(.outOfRange))
        #expect(TimeParser.check("-1d") == .failure(.malformed))
    }

    @available(macOS 15, *)
    @Test("timestamp plus or minus any duration: the exact result, or saturated at the end it passed")
    func timestampArithmetic() async {
        let micros = Gen.int64(in: .min ... .max)
        let durationSeconds = Gen.int64(in: .min ... .max)
        let attoseconds = Gen.int64(in: -999_999_999_999_999_999...999_999_999_999_999_999)
        await propertyCheck(count: 1_000, input: micros, durationSeconds, attoseconds) { micros, seconds, attos in
            let time = Timestamp(microseconds: micros)
            let duration = Duration(secondsComponent: seconds, attosecondsComponent: attos)
            let (wholeSeconds, remainder) = duration.components
            let exactDelta = Int128(wholeSeconds) * 1_000_000 + Int128(remainder / 1_000_000_000_000)
            #expect(Int128(duration.wholeMicroseconds) == Self.clamped(exactDelta))
            let delta = Int128(duration.wholeMicroseconds)
            #expect(Int128((time + duration).microseconds) == Self.clamped(Int128(micros) + delta))
            #expect(Int128((time - duration).microseconds) == Self.clamped(Int128(micros) - delta))
            _ = (time + duration).iso8601
            _ = (time - duration).iso8601
            _ = Timestamp(seconds: seconds).iso8601
        }
    }

    @Test("the ends of the range")
    func extremes() {
        let top = Timestamp(microseconds: .max)
        let bottom = Timestamp(microseconds: .min)
        let huge = Duration.seconds(Int64.max)
        #expect((top + huge).microseconds == .max)
        #expect((bottom - huge).microseconds == .min)
        #expect((bottom + huge).microseconds == -1)
        // 999999999d has no Int64 microsecond count: it counts as the longest one.
        let november2026 = Timestamp(microseconds: 1_795_000_000_000_000)
        #expect((november2026 - .seconds(999_999_999 * 86_400)).microseconds == 1_795_000_000_000_000 - .max)
        #expect(Timestamp(seconds: .max).microseconds == .max)
        #expect(Timestamp(seconds: .min).microseconds == .min)
        #expect(bottom.iso8601.hasSuffix("Z"))
        #expect(Timestamp(microseconds: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
    }

    @available(macOS 15, *)
    private static func clamped(_ value: Int128) -> Int128 {
        min(max(value, Int128(Int64.min)), Int128(Int64.max))
    }
}
