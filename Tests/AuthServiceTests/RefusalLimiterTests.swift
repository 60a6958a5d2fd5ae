import AuthStore
import Testing

@testable import AuthService

@Suite struct RefusalLimiterTests {
    let t0 = Timestamp(seconds: 1_800_000_000)
    let policy = RefusalAuditPolicy(window: .seconds(10), perAddress: 3, overall: 20)

    func refusal(_ address: String, _ reason: AuditReason = .badToken) -> AuditEntry {
        .failure(.verify, reason, context: AuditContext(address: address))
    }

    @Test func oneAddressGetsAFewRowsAndTheRestIsSummed() {
        let limiter = RefusalLimiter(policy: policy)
        let own = (0..<10).filter { _ in limiter.admit(refusal("192.0.2.1"), at: t0) }.count
        #expect(own == 3)
        #expect(limiter.takeSummaries(at: t0 + .seconds(5)).isEmpty, "the window has not ended")
        let sums = limiter.takeSummaries(at: t0 + .seconds(10))
        #expect(sums.map(\.count) == [7])
        #expect(sums.first?.context.address == "192.0.2.1")
        #expect(sums.first?.event == .verify && sums.first?.reason == .badToken && sums.first?.outcome == .failure)
        #expect(limiter.takeSummaries(at: t0 + .seconds(20)).isEmpty, "a sum is handed out once")
    }

    @Test func manyAddressesShareTheOverallBound() {
        let limiter = RefusalLimiter(policy: policy)
        let own = (0..<1000).filter { limiter.admit(refusal("198.51.100.\($0 % 250)"), at: t0) }.count
        #expect(own == 20)
        let sums = limiter.takeSummaries(at: t0, final: true)
        #expect(sums.map(\.count) == [980])
        #expect(sums.first?.context.address == "", "summed from several addresses")
    }

    @Test func kindsAreBoundedApart() {
        let limiter = RefusalLimiter(policy: policy)
        for _ in 0..<5 {
            _ = limiter.admit(refusal("192.0.2.1", .badToken), at: t0)
            _ = limiter.admit(refusal("192.0.2.1", .expired), at: t0)
            _ = limiter.admit(.failure(.login, .throttled, context: AuditContext(address: "192.0.2.1")), at: t0)
        }
        let sums = limiter.takeSummaries(at: t0, final: true)
        #expect(sums.map(\.count) == [2, 2, 2])
        #expect(Set(sums.map { "\($0.event.rawValue)/\($0.reason?.rawValue ?? "")" }).count == 3)
    }

    /// One client holds a whole IPv6 /64, and the same address can be written many ways.
    @Test func addressesAreGroupedAsOneClient() {
        let limiter = RefusalLimiter(policy: policy)
        let spellings = [
            "2001:db8:1:2::1", "2001:DB8:1:2::1", "2001:db8:1:2:0:0:0:1", "2001:0db8:0001:0002::0001",
            "2001:db8:1:2:ffff::9",
        ]
        #expect(spellings.filter { limiter.admit(refusal($0), at: t0) }.count == 3)
        #expect(limiter.admit(refusal("203.0.113.9"), at: t0))
        #expect(limiter.admit(refusal("::ffff:203.0.113.9"), at: t0))
        #expect(limiter.admit(refusal("203.0.113.9"), at: t0))
        #expect(!limiter.admit(refusal("::ffff:203.0.113.9"), at: t0))
        #expect(IPAddress.group("2001:0db8:0001:0002::0001") == "2001:db8:1:2::/64")
        #expect(IPAddress.group("::ffff:203.0.113.9") == "203.0.113.9")
        #expect(IPAddress.group("local") == "local")
    }

    @Test func everyRefusalIsARowOrInExactlyOneSum() {
        let limiter = RefusalLimiter(policy: policy)
        var own = 0
        var summed = 0
        for second in 0..<95 {
            for index in 0..<40 {
                if limiter.admit(refusal("10.0.\(index % 7).1"), at: t0 + .seconds(Int64(second))) { own += 1 }
            }
            summed += limiter.takeSummaries(at: t0 + .seconds(Int64(second))).map(\.count).reduce(0, +)
        }
        summed += limiter.takeSummaries(at: t0 + .seconds(95), final: true).map(\.count).reduce(0, +)
        #expect(own + summed == 95 * 40)
        // Ten windows: at most the overall bound of rows of their own in each.
        #expect(own <= 10 * policy.overall)
        // After the final sums nothing is summed any more: a late refusal is a row.
        #expect(limiter.admit(refusal("10.0.0.1"), at: t0 + .seconds(96)))
    }

    @Test func aClockSteppingBackDoesNotReopenAWindow() {
        let limiter = RefusalLimiter(policy: RefusalAuditPolicy(window: .seconds(10), perAddress: 1, overall: 1))
        #expect(limiter.admit(refusal("192.0.2.1"), at: t0 + .seconds(10)))
        #expect(!limiter.admit(refusal("192.0.2.1"), at: t0 + .seconds(10)))
        #expect(limiter.takeSummaries(at: t0 + .seconds(20)).map(\.count) == [1])
        // Stamped in the ended window, counted in the current one.
        #expect(limiter.admit(refusal("192.0.2.1"), at: t0 + .seconds(15)))
        #expect(!limiter.admit(refusal("192.0.2.1"), at: t0 + .seconds(15)))
        #expect(limiter.takeSummaries(at: t0 + .seconds(30)).map(\.count) == [1])
    }
}
