import Foundation
import Testing

@testable import AuthStore

@Suite("authd session list, revoke")
struct SessionCommandTests {
    static let columns = ["id", "username", "created_at", "expires_at", "last_seen_at", "address", "user_agent"]

    private func fields(_ session: Session) -> [String] {
        [
            session.id, session.username, session.createdAt.iso8601, session.expiresAt.iso8601,
            session.lastSeenAt.iso8601, session.address, session.userAgent,
        ]
    }

    @Test("list --format json: every open session, newest first; --user narrows it")
    func listJSON() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.addUser("bob")
            try await sandbox.openSessions(for: "alice", count: 2)
            try await sandbox.openSessions(for: "bob")
            let stored = try await sandbox.withStore { try await $0.sessions(username: nil) }
            #expect(stored.count == 3)

            let all = try await sandbox.authd("session", "list", "--format", "json")
            #expect(all.status == 0 && all.stderr.isEmpty, "\(all)")
            let objects = try JSONDecoder().decode([[String: String]].self, from: Data(all.stdout.utf8))
            #expect(objects == stored.map { Dictionary(uniqueKeysWithValues: zip(Self.columns, fields($0))) })
            #expect(objects.first?["address"] == "203.0.113.7")
            #expect(objects.first?["user_agent"] == "curl/8.5.0")
            #expect(all.stdout.hasPrefix("[{\"id\":\"\(stored[0].id)\",\"username\":"))

            let alices = try await sandbox.authd("session", "list", "--user", "alice", "--format", "json")
            let aliceObjects = try JSONDecoder().decode([[String: String]].self, from: Data(alices.stdout.utf8))
            #expect(aliceObjects.map { $0["id"] } == stored.filter { $0.username == "alice" }.map(\.id))
        }
    }

    @Test("list --format csv has a header row; the table is the default")
    func listCSVAndTable() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let session = try #require(try await sandbox.openSessions(for: "alice").first)

            let csv = try await sandbox.authd("session", "list", "--format", "csv")
            expectSuccess(
                csv, stdout: Self.columns.joined(separator: ",") + "\n" + fields(session).joined(separator: ",") + "\n")

            let table = try await sandbox.authd("session", "list", "--user", "alice")
            #expect(table.status == 0 && table.stderr.isEmpty, "\(table)")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.split(separator: " ").map(String.init) == Self.columns.map { $0.uppercased() })
            #expect(lines.last?.split(separator: " ").map(String.init) == fields(session))
        }
    }

    @Test("list with no sessions: an empty array")
    func listEmpty() async throws {
        try await Sandbox.with { sandbox in
            try #require(try await sandbox.authd("migrate", "up").status == 0)
            expectSuccess(try await sandbox.authd("session", "list", "--format", "json"), stdout: "[]\n")
        }
    }

    @Test("revoke --id ends that one session, audited as session_revoke with its id")
    func revokeByID() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let sessions = try await sandbox.openSessions(for: "alice", count: 2)

            let result = try await sandbox.authd("session", "revoke", "--id", sessions[0].id)
            expectSuccess(result, stdout: "revoked session \(sessions[0].id)\n")

            #expect(try await sandbox.state().sessions == [sessions[1]])
            expectAdminAudit(try await sandbox.lastAudit(), .sessionRevoke, username: "alice", session: sessions[0].id)
        }
    }

    @Test("revoke --user ends all of that user's sessions, audited as session_revoke")
    func revokeByUser() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.addUser("bob")
            try await sandbox.openSessions(for: "alice", count: 2)
            let bobs = try await sandbox.openSessions(for: "bob")

            let result = try await sandbox.authd("session", "revoke", "--user", "alice")
            expectSuccess(result, stdout: "revoked 2 sessions of alice\n")
            #expect(try await sandbox.state().sessions == bobs)
            expectAdminAudit(try await sandbox.lastAudit(), .sessionRevoke, username: "alice")

            let single = try await sandbox.authd("session", "revoke", "--user", "bob")
            expectSuccess(single, stdout: "revoked 1 session of bob\n")
            let none = try await sandbox.authd("session", "revoke", "--user", "bob")
            expectSuccess(none, stdout: "revoked 0 sessions of bob\n")
            #expect(try await sandbox.state().sessions.isEmpty)
        }
    }

    @Test(
        "revoking an unknown id or user fails with one line and changes nothing",
        arguments: [
            (["--id", "0123456789abcdef"], "no session with id \"0123456789abcdef\""),
            (["--user", "ghost"], "no user named \"ghost\""),
        ])
    func revokeUnknown(arguments: [String], message: String) async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.openSessions(for: "alice")
            let before = try await sandbox.state()

            let result = try await sandbox.authd(arguments: ["session", "revoke"] + arguments + ["--db", sandbox.db])
            expectFailure(result, message)
            #expect(try await sandbox.state() == before)
        }
    }

    @Test("list --user for a user that does not exist fails with one line")
    func listUnknownUser() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            expectFailure(try await sandbox.authd("session", "list", "--user", "ghost"), "no user named \"ghost\"")
        }
    }

    @Test(
        "revoke needs exactly one of --id and --user: a usage error, no database opened",
        arguments: [[], ["--id", "0123456789abcdef", "--user", "alice"]])
    func revokeUsage(arguments: [String]) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(arguments: ["session", "revoke"] + arguments + ["--db", sandbox.db])
            expectUsageError(result, "give exactly one of --user or --id")
            #expect(!sandbox.fileExists(sandbox.db))
        }
    }
}
