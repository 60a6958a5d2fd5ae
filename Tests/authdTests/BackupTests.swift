import Foundation
import Testing

@testable import AuthStore

@Suite("authd backup")
struct BackupTests {
    @Test("writes a private copy that opens as a store with the same users, sessions and audit trail")
    func copies() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            try await sandbox.addUser("bob")
            try await sandbox.openSessions(for: "alice")
            let original = try await sandbox.state()
            let destination = sandbox.path("backup.sqlite")

            let result = try await sandbox.authd("backup", destination)
            expectSuccess(result, stdout: "backup written to \(destination)\n")

            // authd sets its own umask: the test process's (usually 022) does not matter.
            #expect(try sandbox.mode(destination) == 0o600)
            #expect(try sandbox.mode(sandbox.db) == 0o600)

            try await sandbox.withStore(at: destination) { copy throws in
                #expect(try await copy.users() == original.users)
                #expect(try await copy.sessions(username: nil) == original.sessions)
                #expect(try await copy.recentAudit(limit: 10_000) == original.audit)
            }
            // The source is untouched by the backup.
            #expect(try await sandbox.state() == original)
        }
    }

    @Test("a relative destination is relative to the working directory")
    func relativeDestination() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let result = try await sandbox.authd("backup", "copy.sqlite")
            expectSuccess(result, stdout: "backup written to copy.sqlite\n")
            let users = try await sandbox.withStore(at: sandbox.path("copy.sqlite")) { try await $0.users() }
            #expect(users.map(\.name) == ["alice"])
        }
    }

    @Test("an existing destination fails with one line and is left exactly as it was")
    func existingDestination() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let destination = sandbox.path("precious.txt")
            let content = Data("last week's backup, do not overwrite\n".utf8)
            try content.write(to: URL(fileURLWithPath: destination))
            #expect(chmod(destination, 0o644) == 0)

            let result = try await sandbox.authd("backup", destination)
            expectFailure(result, "backup destination \(destination) already exists")
            #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == content)
            #expect(try sandbox.mode(destination) == 0o644)
        }
    }

    @Test("a destination in a missing directory fails with one line and leaves no file")
    func missingDirectory() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let destination = sandbox.path("missing/backup.sqlite")
            let result = try await sandbox.authd("backup", destination)
            expectFailure(result, "cannot create \(destination)")
            #expect(!sandbox.fileExists(sandbox.path("missing")))
        }
    }

    @Test("DEST is required: a usage error")
    func missingArgument() async throws {
        try await Sandbox.with { sandbox in
            expectUsageError(try await sandbox.authd("backup"), "Missing expected argument '<destination>'")
        }
    }
}
