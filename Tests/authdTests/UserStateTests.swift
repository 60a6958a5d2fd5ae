import Foundation
import Testing

@testable import AuthStore

@Suite("authd user disable, enable, delete")
struct UserStateTests {
    @Test("disable marks the user disabled and ends their sessions, audited as user_disable")
    func disable() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.addUser("bob")
            try await sandbox.openSessions(for: "alice", count: 2)
            let bobs = try await sandbox.openSessions(for: "bob")

            let result = try await sandbox.authd("user", "disable", "alice")
            expectSuccess(result, stdout: "disabled user alice; their sessions have ended\n")

            try await sandbox.withStore { store throws in
                #expect(try await store.user(named: "alice")?.disabled == true)
                #expect(try await store.user(named: "bob")?.disabled == false)
                #expect(try await store.sessions(username: "alice").isEmpty)
                #expect(try await store.sessions(username: "bob") == bobs)
                expectAdminAudit(
                    try #require(try await store.recentAudit(limit: 1).first), .userDisable, username: "alice")
            }
        }
    }

    @Test("enable clears the flag, audited as user_enable")
    func enable() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try #require(try await sandbox.authd("user", "disable", "alice").status == 0)

            let result = try await sandbox.authd("user", "enable", "alice")
            expectSuccess(result, stdout: "enabled user alice\n")

            try await sandbox.withStore { store throws in
                #expect(try await store.user(named: "alice")?.disabled == false)
                let audit = try await store.recentAudit(limit: 10)
                #expect(audit.map(\.entry.event) == [.userEnable, .userDisable, .userAdd])
                expectAdminAudit(try #require(audit.first), .userEnable, username: "alice")
            }
            // A re-enabled user can log in again: the store opens a session for them.
            #expect(try await sandbox.openSessions(for: "alice").count == 1)
        }
    }

    @Test("delete removes the user and their sessions, audited as user_delete; the audit trail stays")
    func delete() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.addUser("bob")
            try await sandbox.openSessions(for: "alice", count: 2)
            let bobs = try await sandbox.openSessions(for: "bob")
            let auditBefore = try await sandbox.state().audit

            let result = try await sandbox.authd("user", "delete", "alice")
            expectSuccess(result, stdout: "deleted user alice\n")

            try await sandbox.withStore { store throws in
                #expect(try await store.users().map(\.name) == ["bob"])
                #expect(try await store.sessions(username: nil) == bobs)
                let audit = try await store.recentAudit(limit: 100)
                #expect(Array(audit.dropFirst()) == auditBefore)
                expectAdminAudit(try #require(audit.first), .userDelete, username: "alice")
            }
            // The name is free again.
            try await sandbox.addUser("alice")
        }
    }

    @Test("an unknown user fails with one line and changes nothing", arguments: ["disable", "enable", "delete"])
    func unknownUser(command: String) async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.openSessions(for: "alice")
            let before = try await sandbox.state()

            let result = try await sandbox.authd("user", command, "ghost")
            expectFailure(result, "no user named \"ghost\"")
            #expect(try await sandbox.state() == before)
        }
    }

    @Test("names are checked before the database is opened", arguments: ["passwd", "disable", "enable", "delete"])
    func invalidName(command: String) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", command, String(repeating: "n", count: 129))
            expectUsageError(result, "username must be 1 to 128 bytes")
            #expect(!sandbox.fileExists(sandbox.db))
        }
    }
}
