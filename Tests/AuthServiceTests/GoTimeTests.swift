import Testing

@testable import AuthService

@Suite struct GoTimeTests {
    // 2022-06-13 20:54:10 UTC, the moment of the seed page's example (17:54:10 -03).
    let seconds = 1_655_153_650

    @Test func utcWithFractionTrimmedAndMonotonicSeconds() {
        let instant = GoTime.Instant(
            seconds: seconds, nanoseconds: 137_992_000, monotonicNanoseconds: 19_746_016_009_415)
        #expect(GoTime.format(instant, localZone: false) == "2022-06-13 20:54:10.137992 +0000 UTC m=+19746.016009415")
    }

    @Test func zeroFractionHasNoDot() {
        let instant = GoTime.Instant(seconds: seconds, nanoseconds: 0, monotonicNanoseconds: 5)
        #expect(GoTime.format(instant, localZone: false) == "2022-06-13 20:54:10 +0000 UTC m=+0.000000005")
    }

    @Test func fullNanosecondPrecisionIsKept() {
        let instant = GoTime.Instant(seconds: seconds, nanoseconds: 1, monotonicNanoseconds: 1_000_000_000)
        #expect(GoTime.format(instant, localZone: false) == "2022-06-13 20:54:10.000000001 +0000 UTC m=+1.000000000")
    }

    @Test func monotonicSignIsAlwaysPresent() {
        let instant = GoTime.Instant(seconds: seconds, nanoseconds: 500_000_000, monotonicNanoseconds: -1_500_000_000)
        #expect(GoTime.format(instant, localZone: false).hasSuffix(".5 +0000 UTC m=-1.500000000"))
    }

    @Test func nowMatchesTheShape() throws {
        let text = GoTime.format(.now(), localZone: false)
        let pattern = #/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d*[1-9])? \+0000 UTC m=\+\d+\.\d{9}$/#
        #expect(try pattern.wholeMatch(in: text) != nil, "\(text)")
    }
}
