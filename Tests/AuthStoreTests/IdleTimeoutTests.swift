import Testing

@testable import AuthStore

/// The idle-timeout promise (docs/api.md "Tokens and sessions"): a session used at least once per
/// idle timeout never ends by idle, whatever the timeout, although last activity is written
/// only coarsely. Driven through `verifySession` with explicit times.
@Suite struct IdleTimeoutTests {
    let context = Fixture.context
    let t0 = Fixture.t0

    /// Uses `token` at `time`; records an issue naming `step` unless the session is valid.
    private func use(
        _ store: any AuthStorage, _ token: String, at time: Timestamp, policy: SessionPolicy, step: String
    ) async throws {
        let lookup = try await store.verifySession(
            tokenHash: Fixture.tokenHash(token), policy: policy, at: time, context: context)
        guard case .valid = lookup else {
            Issue.record("\(step) at +\((time.microseconds - t0.microseconds) / 1000) ms: \(lookup)")
            return
        }
    }

    @Test(
        "a session used once per timeout survives the worst case of skipped activity writes",
        arguments: [Duration.seconds(1), .seconds(3), .seconds(45), .seconds(600), .seconds(7200)])
    func usedOncePerTimeoutNeverEndsByIdle(timeout: Duration) async throws {
        let policy = SessionPolicy(lifetime: .seconds(86400 * 30), idleTimeout: timeout)
        let granularity = policy.activityGranularity
        let epsilon = Duration.microseconds(1)
        try await withStore { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "a", at: t0, policy: policy)
            // Each use is just too soon after the recorded activity to be written, and the
            // next comes a full timeout later: the recorded time lags the real use as far as
            // it ever can. Gaps of exactly the timeout and of a little less are both uses
            // "at least once per idle timeout".
            var time = t0
            let gaps = [granularity - epsilon, timeout, epsilon, timeout - epsilon, granularity - epsilon, timeout]
            for round in 0..<4 {
                for (index, gap) in gaps.enumerated() {
                    time = time + gap
                    try await use(store, "a", at: time, policy: policy, step: "round \(round) use \(index)")
                }
            }
            // A steady rhythm under the timeout (a client polling every 2 s with a 3 s timeout).
            let rhythm = timeout * 2 / 3
            for step in 0..<12 {
                time = time + rhythm
                try await use(store, "a", at: time, policy: policy, step: "rhythm \(step)")
            }
            #expect(try await store.count("sessions") == 1)
        }
    }

    @Test(
        "a session left alone ends at most one granularity after the timeout",
        arguments: [Duration.seconds(1), .seconds(3), .seconds(45), .seconds(600), .seconds(7200)])
    func idleSessionEnds(timeout: Duration) async throws {
        let policy = SessionPolicy(lifetime: .seconds(86400 * 30), idleTimeout: timeout)
        let granularity = policy.activityGranularity
        try await withStore { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "a", at: t0, policy: policy)
            // A use that is not written, then silence.
            let lastUse = t0 + granularity - .microseconds(1)
            try await use(store, "a", at: lastUse, policy: policy, step: "last use")
            let lookup = try await store.verifySession(
                tokenHash: Fixture.tokenHash("a"), policy: policy, at: lastUse + timeout + granularity,
                context: context)
            guard case .expired = lookup else {
                Issue.record("expected .expired, got \(lookup)")
                return
            }
            #expect(try await store.count("sessions") == 0)
        }
    }

    @Test("the activity granularity is a quarter of the timeout, at most a minute")
    func granularityFollowsTheTimeout() {
        let cases: [(Duration?, Duration)] = [
            (.seconds(1), .milliseconds(250)),
            (.seconds(3), .milliseconds(750)),
            (.seconds(45), .milliseconds(11_250)),
            (.seconds(240), .seconds(60)),
            (.seconds(600), .seconds(60)),
            (.seconds(30 * 60), .seconds(60)),
            (nil, .seconds(60)),
        ]
        for (timeout, granularity) in cases {
            let policy = SessionPolicy(lifetime: .seconds(3600), idleTimeout: timeout)
            #expect(policy.activityGranularity == granularity, "timeout \(String(describing: timeout))")
        }
    }

    @Test("an idle timeout is off or at least a second")
    func minimumIdleTimeout() {
        #expect(SessionPolicy.isAcceptableIdleTimeout(nil))
        #expect(SessionPolicy.isAcceptableIdleTimeout(.seconds(1)))
        #expect(SessionPolicy.isAcceptableIdleTimeout(.seconds(30 * 60)))
        #expect(!SessionPolicy.isAcceptableIdleTimeout(.milliseconds(999)))
        #expect(!SessionPolicy.isAcceptableIdleTimeout(.microseconds(1)))
        #expect(!SessionPolicy.isAcceptableIdleTimeout(.zero))
    }

    @Test("the sweeper deletes exactly the sessions verify would call idle")
    func sweeperAgreesWithVerify() async throws {
        let policy = SessionPolicy(lifetime: .seconds(86400), idleTimeout: .seconds(3))
        try await withStore { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "a", at: t0, policy: policy)
            // A use at +0.7 s is not written (granularity 0.75 s); at +3.7 s the session is
            // 3 s from its last use, so the sweeper must keep it.
            try await use(store, "a", at: t0 + .milliseconds(700), policy: policy, step: "use")
            #expect(try await store.deleteExpiredSessions(policy: policy, at: t0 + .milliseconds(3700)) == 0)
            #expect(try await store.deleteExpiredSessions(policy: policy, at: t0 + .milliseconds(3750)) == 1)
        }
    }
}
