import Testing

@testable import AuthStore

@Suite struct SessionStoreTests {
    let context = Fixture.context
    let t0 = Fixture.t0
    /// One hour of lifetime, ten minutes idle, so last activity is written at most once a
    /// minute and a session ends by idle 11 minutes after its recorded activity.
    let policy = SessionPolicy(lifetime: .seconds(3600), idleTimeout: .seconds(600))

    /// `last_seen_at` as stored, bypassing what `verifySession` returns.
    private func storedLastSeen(_ store: any AuthStorage, _ id: String) async throws -> Timestamp? {
        try await store.sessions(username: nil).first { $0.id == id }?.lastSeenAt
    }

    @Test(arguments: Engine.all) func createSessionStoresItAndAuditsTheLogin(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let at = t0 + .seconds(5)

            let created = try await store.createSession(
                for: alice, tokenHash: Fixture.tokenHash("a"), policy: policy,
                rehash: nil, at: at, context: context)

            let session = try #require(created.session)
            #expect(session.id.wholeMatch(of: #/[0-9a-f]{16}/#) != nil, "\(session.id)")
            #expect(session.username == "alice")
            #expect(session.createdAt == at && session.lastSeenAt == at)
            #expect(session.expiresAt == at + .seconds(3600))
            #expect(session.address == context.address && session.userAgent == context.userAgent)
            #expect(try await store.sessions(username: "alice") == [session])
            #expect(await storeErrorCode { _ = try await store.sessions(username: "bob") } == .userNotFound)

            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.time == at)
            #expect(
                row.entry
                    == AuditEntry(
                        event: .login, outcome: .success, reason: nil, username: "alice",
                        session: session.id, context: context))
            // Only the token's hash is stored.
            let stored = try await store.storedTokenHashes()
            #expect(stored == [Fixture.tokenHash("a")])
        }
    }

    @Test(arguments: Engine.all) func sessionIDsAreDistinctAndListedNewestFirst(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let first = try await store.openSession(alice, token: "1", at: t0)
            let second = try await store.openSession(alice, token: "2", at: t0 + .seconds(1))
            let third = try await store.openSession(alice, token: "3", at: t0 + .seconds(2))
            #expect(try await store.sessions(username: nil).map(\.id) == [third.id, second.id, first.id])
            #expect(Set([first.id, second.id, third.id]).count == 3)
        }
    }

    @Test(arguments: Engine.all) func createSessionWithRehashReplacesTheHash(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let session = try await store.createSession(
                for: alice, tokenHash: Fixture.tokenHash("a"), policy: policy,
                rehash: Fixture.hashB, at: t0 + .seconds(1), context: context)
            #expect(session.session != nil)
            let user = try #require(try await store.user(named: "alice"))
            #expect(user.passwordHash == Fixture.hashB)
            #expect(user.updatedAt == t0 + .seconds(1))
        }
    }

    @Test(arguments: Engine.all) func createSessionRefusesAUserThatChangedMeanwhile(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let bob = try await store.addUser(name: "bob", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.changePassword(name: "alice", passwordHash: Fixture.hashB, at: t0, context: context)
            try await store.deleteUser(name: "bob", at: t0, context: context)
            let rowsBefore = try await store.count("audit_log")

            // A changed hash is handed back, nothing written: the caller checks the password again.
            let changed = try await store.createSession(
                for: alice, tokenHash: Fixture.tokenHash("a"), policy: policy,
                rehash: Fixture.hashA, at: t0 + .seconds(1), context: context)
            #expect(changed == .hashChanged(try #require(try await store.user(named: "alice"))))
            #expect(try await store.count("audit_log") == rowsBefore)
            #expect(
                try await store.createSession(
                    for: bob, tokenHash: Fixture.tokenHash("b"), policy: policy,
                    rehash: nil, at: t0 + .seconds(1), context: context) == .refused(.unknownUser))
            #expect(try await store.count("audit_log") == rowsBefore, "the caller audits the failure")
            #expect(try await store.count("sessions") == 0)
            // The rehash of a refused login is not applied.
            #expect(try await store.user(named: "alice")?.passwordHash == Fixture.hashB)
        }
    }

    @Test(arguments: Engine.all) func verifyKeepsAValidSessionAndUpdatesLastActivityCoarsely(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let session = try await store.openSession(alice, token: "a", at: t0, policy: policy)
            let auditCount = try await store.count("audit_log")

            // Within the granularity: valid, nothing written.
            let early = try await store.verifySession(
                tokenHash: Fixture.tokenHash("a"), policy: policy,
                at: t0 + .seconds(59), context: context)
            #expect(early == .valid(session))
            #expect(try await storedLastSeen(store, session.id) == t0)

            // At the granularity: the new activity time is returned and stored.
            let minute = t0 + .seconds(60)
            guard
                case .valid(let touched) = try await store.verifySession(
                    tokenHash: Fixture.tokenHash("a"), policy: policy, at: minute, context: context)
            else {
                Issue.record("session should be valid")
                return
            }
            #expect(touched.lastSeenAt == minute)
            #expect(touched.id == session.id && touched.expiresAt == session.expiresAt)
            #expect(try await storedLastSeen(store, session.id) == minute)

            // An earlier time never moves last activity backwards.
            _ = try await store.verifySession(
                tokenHash: Fixture.tokenHash("a"), policy: policy,
                at: minute + .seconds(30), context: context)
            #expect(try await storedLastSeen(store, session.id) == minute)

            // A successful verify is not audited.
            #expect(try await store.count("audit_log") == auditCount)
        }
    }

    /// Refusals that checked no secret are audited by the service, within bounds; the
    /// store writes nothing for them.
    @Test(arguments: Engine.all) func verifyOfAnUnknownTokenWritesNothing(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let lookup = try await store.verifySession(
                tokenHash: Fixture.tokenHash("never issued"), policy: policy,
                at: t0, context: context)
            #expect(lookup == .unknown)
            #expect(try await store.count("audit_log") == 0)
        }
    }

    @Test(arguments: Engine.all) func sessionExpiresAtItsLifetime(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let noIdle = SessionPolicy(lifetime: .seconds(3600), idleTimeout: nil)
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let session = try await store.openSession(alice, token: "a", at: t0, policy: noIdle)

            // Without an idle timeout, a long gap is fine until the lifetime ends.
            let lastMoment = t0 + .seconds(3600) - .microseconds(1)
            guard
                case .valid = try await store.verifySession(
                    tokenHash: Fixture.tokenHash("a"), policy: noIdle,
                    at: lastMoment, context: context)
            else {
                Issue.record("session should still be valid")
                return
            }

            let end = t0 + .seconds(3600)
            let lookup = try await store.verifySession(
                tokenHash: Fixture.tokenHash("a"), policy: noIdle, at: end,
                context: context)

            guard case .expired(let expired) = lookup else {
                Issue.record("expected .expired, got \(lookup)")
                return
            }
            #expect(expired.id == session.id)
            #expect(try await store.count("sessions") == 0)
            // The service audits the refusal; the store only removed the session.
            #expect(try await store.recentAudit(limit: 1).first?.entry.event == .login)
            // Gone for good: the next use is an unknown token.
            #expect(
                try await store.verifySession(
                    tokenHash: Fixture.tokenHash("a"), policy: noIdle, at: end,
                    context: context) == .unknown)
        }
    }

    @Test(arguments: Engine.all) func sessionExpiresWhenIdleAndActivityExtendsIt(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let session = try await store.openSession(alice, token: "a", at: t0, policy: policy)

            // Used after 9 minutes: still valid, activity recorded.
            let used = t0 + .seconds(540)
            guard
                case .valid = try await store.verifySession(
                    tokenHash: Fixture.tokenHash("a"), policy: policy, at: used,
                    context: context)
            else {
                Issue.record("session should be valid after 9 minutes")
                return
            }
            // 10 minutes after the start, but under 1 after the last use: valid.
            guard
                case .valid = try await store.verifySession(
                    tokenHash: Fixture.tokenHash("a"), policy: policy,
                    at: t0 + .seconds(599), context: context)
            else {
                Issue.record("activity should have extended the idle timeout")
                return
            }
            // The verify at +599 s was within the granularity of `used`, so `used` is still the
            // recorded activity. The real last use was +599 s, so the session may not end 10
            // minutes after `used`; it ends one granularity (a minute) later.
            #expect(try await storedLastSeen(store, session.id) == used)
            #expect(!policy.isIdle(lastSeen: used, at: used + .seconds(600)))
            let lookup = try await store.verifySession(
                tokenHash: Fixture.tokenHash("a"), policy: policy,
                at: used + .seconds(660), context: context)
            guard case .expired(let expired) = lookup else {
                Issue.record("expected .expired, got \(lookup)")
                return
            }
            #expect(expired.id == session.id)
            #expect(try await store.count("sessions") == 0)
            #expect(try await store.recentAudit(limit: 1).first?.entry.event == .login)
        }
    }

    @Test(arguments: Engine.all) func endSessionWorksOnce(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let session = try await store.openSession(alice, token: "a", at: t0, policy: policy)
            let other = try await store.openSession(alice, token: "b", at: t0, policy: policy)

            let first = try await store.endSession(
                tokenHash: Fixture.tokenHash("a"), policy: policy,
                at: t0 + .seconds(1), context: context)

            #expect(first == .valid(session))
            #expect(try await store.sessions(username: nil).map(\.id) == [other.id])
            let logout = try #require(try await store.recentAudit(limit: 1).first)
            #expect(
                logout.entry
                    == AuditEntry(
                        event: .logout, outcome: .success, reason: nil, username: "alice",
                        session: session.id, context: context))
            #expect(logout.time == t0 + .seconds(1))

            let second = try await store.endSession(
                tokenHash: Fixture.tokenHash("a"), policy: policy,
                at: t0 + .seconds(2), context: context)

            #expect(second == .unknown)
            #expect(try await store.recentAudit(limit: 1).first?.id == logout.id, "the service audits the refusal")
            #expect(try await store.sessions(username: nil).map(\.id) == [other.id])
        }
    }

    @Test(arguments: Engine.all) func endingAnExpiredSessionRemovesIt(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let session = try await store.openSession(alice, token: "a", at: t0, policy: policy)

            let lookup = try await store.endSession(
                tokenHash: Fixture.tokenHash("a"), policy: policy,
                at: t0 + .seconds(660), context: context)

            #expect(lookup == .expired(session))
            #expect(try await store.count("sessions") == 0)
            #expect(try await store.recentAudit(limit: 1).first?.entry.event == .login, "the service audits the refusal")
        }
    }

    @Test(arguments: Engine.all) func endAllSessionsEndsOnlyThatUsersSessions(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let bob = try await store.addUser(name: "bob", passwordHash: Fixture.hashA, at: t0, context: context)
            for token in ["a1", "a2", "a3"] { try await store.openSession(alice, token: token, at: t0) }
            let bobs = try await store.openSession(bob, token: "b1", at: t0)

            let ended = try await store.endAllSessions(of: alice, at: t0 + .seconds(1), context: context)

            #expect(ended == 3)
            #expect(try await store.sessions(username: "alice").isEmpty)
            #expect(try await store.sessions(username: nil) == [bobs])
            #expect(
                try await store.recentAudit(limit: 1).first?.entry
                    == .success(
                        .logoutAll, username: "alice",
                        context: context))
            // With nothing left it still succeeds, ends nothing, and is audited.
            #expect(try await store.endAllSessions(of: alice, at: t0 + .seconds(2), context: context) == 0)
            #expect(try await store.allAudit().filter { $0.entry.event == .logoutAll }.count == 2)
        }
    }

    @Test(arguments: Engine.all) func revokeSessionByID(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let revoked = try await store.openSession(alice, token: "a1", at: t0)
            let kept = try await store.openSession(alice, token: "a2", at: t0)
            let admin = AuditContext.commandLine

            try await store.revokeSession(id: revoked.id, at: t0 + .seconds(1), context: admin)

            #expect(try await store.sessions(username: nil) == [kept])
            #expect(
                try await store.verifySession(
                    tokenHash: Fixture.tokenHash("a1"), policy: policy,
                    at: t0 + .seconds(2), context: context) == .unknown)
            let row = try #require(try await store.allAudit().first { $0.entry.event == .sessionRevoke })
            #expect(row.entry == .success(.sessionRevoke, username: "alice", session: revoked.id, context: admin))

            let auditCount = try await store.count("audit_log")
            #expect(
                await storeErrorCode { try await store.revokeSession(id: revoked.id, at: t0, context: admin) }
                    == .sessionNotFound)
            #expect(
                await storeErrorCode { try await store.revokeSession(id: "0123456789abcdef", at: t0, context: admin) }
                    == .sessionNotFound)
            #expect(try await store.count("audit_log") == auditCount)
        }
    }

    @Test(arguments: Engine.all) func revokeSessionsOfAUser(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let bob = try await store.addUser(name: "bob", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "a1", at: t0)
            try await store.openSession(alice, token: "a2", at: t0)
            let bobs = try await store.openSession(bob, token: "b1", at: t0)

            let count = try await store.revokeSessions(
                username: "alice", at: t0 + .seconds(1),
                context: .commandLine)

            #expect(count == 2)
            #expect(try await store.sessions(username: nil) == [bobs])
            #expect(
                try await store.recentAudit(limit: 1).first?.entry
                    == .success(
                        .sessionRevoke, username: "alice",
                        context: .commandLine))
            #expect(try await store.revokeSessions(username: "alice", at: t0 + .seconds(2), context: .commandLine) == 0)
        }
    }

    @Test(arguments: Engine.all) func deleteExpiredSessionsRemovesExactlyTheExpiredOnes(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let now = t0 + .seconds(3600)
            // Lifetime 1 h, idle 10 min, judged at `now`:
            // expires exactly now (recently used, so only the lifetime applies)
            let pastLifetime = try await store.openSession(alice, token: "1", at: t0, policy: policy)
            try await touch(store, "1", at: now - .seconds(60))
            // expires 1 µs after now, recently used
            let justAlive = try await store.openSession(alice, token: "2", at: t0 + .microseconds(1), policy: policy)
            try await touch(store, "2", at: now - .seconds(60))
            // idle for exactly the timeout plus the granularity (11 minutes), and for 1 µs less
            let idle = try await store.openSession(alice, token: "3", at: now - .seconds(660), policy: policy)
            let almostIdle = try await store.openSession(
                alice, token: "4", at: now - .seconds(660) + .microseconds(1),
                policy: policy)
            let auditCount = try await store.count("audit_log")

            let deleted = try await store.deleteExpiredSessions(policy: policy, at: now)

            #expect(deleted == 2)
            let remaining = Set(try await store.sessions(username: nil).map(\.id))
            #expect(remaining == [justAlive.id, almostIdle.id])
            #expect(!remaining.contains(pastLifetime.id) && !remaining.contains(idle.id))
            // Not audited.
            #expect(try await store.count("audit_log") == auditCount)
            // What is left agrees with what verify decides.
            for session in try await store.sessions(username: nil) {
                #expect(!session.isExpired(at: now, policy: policy))
            }
        }
    }

    @Test(arguments: Engine.all) func deleteExpiredSessionsWithoutIdleTimeout(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let noIdle = SessionPolicy(lifetime: .seconds(3600), idleTimeout: nil)
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "old", at: t0, policy: noIdle)
            let quiet = try await store.openSession(alice, token: "quiet", at: t0 + .seconds(1), policy: noIdle)

            #expect(try await store.deleteExpiredSessions(policy: noIdle, at: t0 + .seconds(3600)) == 1)
            #expect(try await store.sessions(username: nil) == [quiet])
            #expect(try await store.deleteExpiredSessions(policy: noIdle, at: t0 + .seconds(3600)) == 0)
        }
    }

    /// Records activity for `token` at `time` through verify (under the default 1-minute granularity).
    private func touch(_ store: any AuthStorage, _ token: String, at time: Timestamp) async throws {
        let lenient = SessionPolicy(lifetime: policy.lifetime, idleTimeout: nil)
        guard
            case .valid(let session) = try await store.verifySession(
                tokenHash: Fixture.tokenHash(token),
                policy: lenient, at: time, context: context)
        else {
            Issue.record("token \(token) should be valid at \(time.iso8601)")
            return
        }
        #expect(session.lastSeenAt == time)
    }
}

/// Logouts arriving together (grouped into one transaction on both engines, and into one
/// statement on PostgreSQL) behave as if they had run one after the other.
@Suite struct ConcurrentLogoutTests {
    @Test(arguments: Engine.all) func everyTokenEndsExactlyOnceAndIsAuditedOnce(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(
                name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
            for index in 0..<30 {
                try await store.openSession(alice, token: "t\(index)", at: Fixture.t0)
            }
            let before = try await store.count("audit_log")
            // Each token twice, all at once.
            let lookups = await withTaskGroup(of: TokenLookup?.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        try? await store.endSession(
                            tokenHash: Fixture.tokenHash("t\(index % 30)"), policy: SessionPolicy(),
                            at: Fixture.t0 + .seconds(1), context: Fixture.context)
                    }
                }
                return await group.reduce(into: [TokenLookup?]()) { $0.append($1) }
            }
            let valid = lookups.filter { if case .valid = $0 { true } else { false } }
            #expect(valid.count == 30)
            #expect(lookups.filter { $0 == .unknown }.count == 30)
            #expect(try await store.count("sessions") == 0)
            let logouts = try await store.queryAudit(AuditQuery(events: [.logout], limit: 100))
            #expect(logouts.count == 30)
            #expect(Set(logouts.map(\.entry.session)).count == 30)
            #expect(try await store.count("audit_log") == before + 30)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }
}
