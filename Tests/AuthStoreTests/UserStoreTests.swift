import Testing

@testable import AuthStore

@Suite struct UserStoreTests {
    let context = Fixture.context
    let t0 = Fixture.t0

    @Test(arguments: Engine.all) func addUserStoresItAndAuditsIt(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let user = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)

            #expect(user.name == "alice")
            #expect(user.passwordHash == Fixture.hashA)
            #expect(!user.disabled)
            #expect(user.createdAt == t0 && user.updatedAt == t0)
            #expect(try await store.user(named: "alice") == user)
            #expect(try await store.user(named: "Alice") == nil)
            #expect(try await store.userCount() == 1)

            let audit = try await store.allAudit()
            #expect(audit.count == 1)
            #expect(audit.first?.time == t0)
            #expect(
                audit.first?.entry
                    == AuditEntry(
                        event: .userAdd, outcome: .success, reason: nil, username: "alice",
                        session: "", context: context))
        }
    }

    @Test(arguments: Engine.all) func usersAreListedByName(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            for name in ["carol", "alice", "bob"] {
                try await store.addUser(name: name, passwordHash: Fixture.hashA, at: t0, context: context)
            }
            #expect(try await store.users().map(\.name) == ["alice", "bob", "carol"])
            #expect(try await store.userCount() == 3)
            #expect(Set(try await store.users().map(\.id)).count == 3)
        }
    }

    @Test(arguments: Engine.all) func duplicateUserIsRefusedAndWritesNothing(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)

            let code = await storeErrorCode {
                try await store.addUser(
                    name: "alice", passwordHash: Fixture.hashB, at: t0 + .seconds(1), context: context)
            }

            #expect(code == .userExists)
            #expect(try await store.user(named: "alice") == alice)
            #expect(try await store.userCount() == 1)
            #expect(try await store.allAudit().map(\.entry.event) == [.userAdd])
        }
    }

    @Test(arguments: Engine.all) func usernameLengthIsChecked(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            #expect(
                await storeErrorCode {
                    try await store.addUser(name: "", passwordHash: Fixture.hashA, at: t0, context: context)
                } == .invalidInput)
            #expect(
                await storeErrorCode {
                    try await store.addUser(
                        name: String(repeating: "é", count: 65), passwordHash: Fixture.hashA, at: t0,
                        context: context)
                } == .invalidInput)  // 130 bytes
            let longest = String(repeating: "a", count: 128)
            try await store.addUser(name: longest, passwordHash: Fixture.hashA, at: t0, context: context)
            #expect(try await store.users().map(\.name) == [longest])
            #expect(try await store.allAudit().count == 1)
        }
    }

    @Test(arguments: Engine.all) func changePasswordReplacesTheHashAndEndsSessions(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let bob = try await store.addUser(name: "bob", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "a1", at: t0)
            try await store.openSession(alice, token: "a2", at: t0)
            try await store.openSession(bob, token: "b1", at: t0)
            let later = t0 + .seconds(10)

            try await store.changePassword(name: "alice", passwordHash: Fixture.hashB, at: later, context: context)

            let changed = try #require(try await store.user(named: "alice"))
            #expect(changed.passwordHash == Fixture.hashB)
            #expect(changed.updatedAt == later && changed.createdAt == t0)
            #expect(try await store.sessions(username: "alice").isEmpty)
            #expect(try await store.sessions(username: "bob").count == 1)
            let lookup = try await store.verifySession(
                tokenHash: Fixture.tokenHash("a1"), policy: SessionPolicy(),
                at: later, context: context)
            #expect(lookup == .unknown)
            #expect(try await store.user(named: "bob")?.passwordHash == Fixture.hashA)

            let row = try #require(try await store.allAudit().first { $0.entry.event == .userPasswd })
            #expect(row.time == later)
            #expect(row.entry == .success(.userPasswd, username: "alice", context: context))
        }
    }

    @Test(arguments: Engine.all) func disablingEndsSessionsAndEnablingDoesNot(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "a1", at: t0)

            try await store.setDisabled(name: "alice", true, at: t0 + .seconds(1), context: context)

            let disabled = try #require(try await store.user(named: "alice"))
            #expect(disabled.disabled)
            #expect(disabled.updatedAt == t0 + .seconds(1))
            #expect(try await store.sessions(username: "alice").isEmpty)
            #expect(
                try await store.recentAudit(limit: 1).first?.entry
                    == .success(
                        .userDisable, username: "alice",
                        context: context))
            // A disabled user cannot open a session even with the hash that was checked.
            #expect(
                try await store.createSession(
                    for: disabled, tokenHash: Fixture.tokenHash("a2"), policy: SessionPolicy(),
                    rehash: nil, at: t0 + .seconds(2), context: context) == .refused(.disabled))
            #expect(try await store.count("sessions") == 0)

            try await store.setDisabled(name: "alice", false, at: t0 + .seconds(3), context: context)

            let enabled = try #require(try await store.user(named: "alice"))
            #expect(!enabled.disabled)
            #expect(
                try await store.recentAudit(limit: 1).first?.entry
                    == .success(
                        .userEnable, username: "alice",
                        context: context))
            try await store.openSession(enabled, token: "a3", at: t0 + .seconds(4))
            #expect(try await store.sessions(username: "alice").count == 1)
        }
    }

    @Test(arguments: Engine.all) func deleteUserRemovesTheUserAndTheirSessions(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let alice = try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let bob = try await store.addUser(name: "bob", passwordHash: Fixture.hashA, at: t0, context: context)
            try await store.openSession(alice, token: "a1", at: t0)
            try await store.openSession(alice, token: "a2", at: t0)
            try await store.openSession(bob, token: "b1", at: t0)

            try await store.deleteUser(name: "alice", at: t0 + .seconds(5), context: context)

            #expect(try await store.user(named: "alice") == nil)
            #expect(try await store.users().map(\.name) == ["bob"])
            #expect(try await store.count("sessions") == 1)
            #expect(try await store.sessions(username: nil).map(\.username) == ["bob"])
            let row = try #require(try await store.recentAudit(limit: 1).first)
            #expect(row.entry == .success(.userDelete, username: "alice", context: context))
            #expect(row.time == t0 + .seconds(5))
            // The deleted user's old session token is simply unknown now.
            #expect(
                try await store.verifySession(
                    tokenHash: Fixture.tokenHash("a1"), policy: SessionPolicy(),
                    at: t0 + .seconds(6), context: context) == .unknown)
            // The name is free again.
            try await store.addUser(name: "alice", passwordHash: Fixture.hashB, at: t0 + .seconds(7), context: context)
        }
    }

    @Test(arguments: Engine.all) func unknownUserIsReportedAndNothingIsWritten(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: t0, context: context)
            let auditBefore = try await store.allAudit()

            #expect(
                await storeErrorCode {
                    try await store.changePassword(
                        name: "nobody", passwordHash: Fixture.hashB, at: t0, context: context)
                } == .userNotFound)
            #expect(
                await storeErrorCode { try await store.setDisabled(name: "nobody", true, at: t0, context: context) }
                    == .userNotFound)
            #expect(
                await storeErrorCode { try await store.setDisabled(name: "nobody", false, at: t0, context: context) }
                    == .userNotFound)
            #expect(
                await storeErrorCode { try await store.deleteUser(name: "nobody", at: t0, context: context) }
                    == .userNotFound)
            #expect(
                await storeErrorCode { try await store.revokeSessions(username: "nobody", at: t0, context: context) }
                    == .userNotFound)

            #expect(try await store.allAudit() == auditBefore)
            #expect(try await store.users().map(\.name) == ["alice"])
        }
    }
}

extension AuthStorage {
    /// Opens a session for `user` with bearer token `token` (see ``Fixture/tokenHash(_:)``).
    @discardableResult
    func openSession(
        _ user: User, token: String, at time: Timestamp, policy: SessionPolicy = SessionPolicy(),
        context: AuditContext = Fixture.context
    ) async throws -> Session {
        let session = try await createSession(
            for: user, tokenHash: Fixture.tokenHash(token), policy: policy, rehash: nil,
            at: time, context: context)
        return try #require(session.session)
    }
}
