import Foundation
import Testing

@testable import AuthStore

@Suite("authd user passwd")
struct UserPasswdTests {
    let hasher = PasswordHasher(iterations: 1000)

    @Test("replaces the hash, ends only that user's sessions, audited as user_passwd")
    func changesPassword() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: "old password")
            try await sandbox.addUser("bob")
            try await sandbox.openSessions(for: "alice", count: 2)
            let bobs = try await sandbox.openSessions(for: "bob")

            let result = try await sandbox.authd("user", "passwd", "alice", "--password-stdin", stdin: "new password\n")
            expectSuccess(result, stdout: "changed password of alice; their sessions have ended\n")

            try await sandbox.withStore { store throws in
                let alice = try #require(try await store.user(named: "alice"))
                #expect(hasher.verify("new password", against: alice.passwordHash) == .match(needsRehash: false))
                #expect(hasher.verify("old password", against: alice.passwordHash) == .mismatch)
                #expect(hasher.verify("new password\n", against: alice.passwordHash) == .mismatch)
                #expect(try await store.sessions(username: "alice").isEmpty)
                #expect(try await store.sessions(username: "bob") == bobs)
                let record = try #require(try await store.recentAudit(limit: 1).first)
                expectAdminAudit(record, .userPasswd, username: "alice")
            }
        }
    }

    @Test("an unknown user fails with one line and changes nothing")
    func unknownUser() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.openSessions(for: "alice")
            let before = try await sandbox.state()

            let result = try await sandbox.authd("user", "passwd", "ghost", "--password-stdin", stdin: "pw\n")
            expectFailure(result, "no user named \"ghost\"")
            #expect(try await sandbox.state() == before)
        }
    }

    @Test("a bad new password fails and keeps the old hash and the sessions", arguments: ["", "\n"])
    func badPassword(input: String) async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: "old password")
            try await sandbox.openSessions(for: "alice")
            let before = try await sandbox.state()

            let result = try await sandbox.authd("user", "passwd", "alice", "--password-stdin", stdin: input)
            expectFailure(result, input.isEmpty ? "no password on standard input" : "password must be 1 to 1024 bytes")
            #expect(try await sandbox.state() == before)
        }
    }
}
