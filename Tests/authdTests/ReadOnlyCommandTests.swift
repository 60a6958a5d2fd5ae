import Foundation
import Testing

@testable import AuthStore

/// Read-only commands open the database `SQLITE_OPEN_READONLY`: they never create a file,
/// never migrate one, and fail with one line naming `authd migrate up` instead.
@Suite("read-only commands: no create, no migrate")
struct ReadOnlyCommandTests {
    /// Every read-only command (docs/cli.md).
    static let readOnly: [[String]] = [
        ["user", "list"], ["session", "list"], ["throttle", "list"], ["audit"], ["audit", "verify"],
        ["migrate", "status"], ["backup", "copy.sqlite"],
    ]

    /// Every command that changes data but may not create a database.
    static let changing: [(arguments: [String], stdin: String?)] = [
        (["user", "passwd", "alice", "--password-stdin"], "pw\n"),
        (["user", "disable", "alice"], nil),
        (["user", "enable", "alice"], nil),
        (["user", "delete", "alice"], nil),
        (["session", "revoke", "--user", "alice"], nil),
        (["throttle", "clear", "--all"], nil),
        (["audit", "prune", "--before", "90d"], nil),
    ]

    /// A database on which only the first migration was applied: an older authd's.
    static func makeOlderDatabase(_ sandbox: Sandbox) throws {
        let connection = try SQLiteConnection(path: sandbox.db)
        defer { connection.close() }
        try Migrator(migrations: Array(EmbeddedMigrations.all.prefix(1))).migrate(connection)
    }

    @Test("a missing file: every command but serve, user add and migrate up fails with one line and creates nothing")
    func missingFile() async throws {
        try await Sandbox.with { sandbox in
            let typo = sandbox.path("typo.sqlite")
            let commands = Self.readOnly.map { ($0, String?.none) } + Self.changing.map { ($0.arguments, $0.stdin) }
            for (arguments, stdin) in commands {
                let result = try await sandbox.authd(arguments: arguments + ["--db", typo], stdin: stdin)
                expectFailure(result, "database \(typo) does not exist; create it with: authd migrate up")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path) == [])
        }
    }

    @Test("an older schema: read-only commands fail with one line naming authd migrate up; changing ones migrate")
    func olderSchema() async throws {
        try await Sandbox.with { sandbox in
            try Self.makeOlderDatabase(sandbox)
            let pending = EmbeddedMigrations.all.count - 1
            try #require(pending >= 1)
            for arguments in Self.readOnly where arguments != ["migrate", "status"] {
                let result = try await sandbox.authd(arguments: arguments + ["--db", sandbox.db])
                expectFailure(
                    result,
                    "database \(sandbox.db) is \(pending == 1 ? "1 migration" : "\(pending) migrations") behind "
                        + "this authd (schema older than the binary); apply them with: authd migrate up")
            }
            #expect(!sandbox.fileExists(sandbox.path("copy.sqlite")))
            // Still only the first migration: nothing migrated the file.
            let status = try await sandbox.authd("migrate", "status")
            #expect(status.status == 0, "\(status)")
            #expect(status.stdout.components(separatedBy: " pending").count - 1 == pending, "\(status)")
            #expect(status.stdout.components(separatedBy: " applied").count - 1 == 1, "\(status)")

            // A command that changes data migrates it first.
            expectSuccess(
                try await sandbox.authd("throttle", "clear", "--all"), stdout: "cleared 0 failed-login records\n")
            let migrated = try await sandbox.withStore { try await $0.migrationStatus() }
            #expect(migrated.allSatisfy { $0.isApplied })
        }
    }

    @Test("reads a WAL database the server has open, and one nobody has open")
    func readsOpenAndClosedDatabase() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let server = try await ServedProcess(sandbox: sandbox)
            let login = try await server.login("alice", "correct horse battery staple")
            #expect(login.status == 200)
            // The server holds the database open in WAL mode: -wal and -shm exist.
            #expect(sandbox.fileExists(sandbox.db + "-wal") && sandbox.fileExists(sandbox.db + "-shm"))
            let whileServing = try await sandbox.authd("session", "list", "--format", "csv")
            #expect(whileServing.status == 0, "\(whileServing)")
            #expect(whileServing.stdout.split(separator: "\n").count == 2, "\(whileServing)")
            expectSuccess(try await sandbox.authd("user", "list", "--format", "csv").withoutTimes, stdout: "alice\n")
            let verify = try await sandbox.authd("audit", "verify")
            #expect(verify.status == 0 && verify.stdout.hasPrefix("audit chain intact: 2 rows"), "\(verify)")
            _ = await server.stop()

            // Closed: the last connection checkpointed and removed -wal and -shm.
            #expect(!sandbox.fileExists(sandbox.db + "-wal"))
            let closed = try await sandbox.authd("session", "list", "--format", "csv")
            #expect(closed.status == 0 && closed.stdout.split(separator: "\n").count == 2, "\(closed)")
            expectSuccess(try await sandbox.authd("backup", "copy.sqlite"), stdout: "backup written to copy.sqlite\n")
            let copied = try await sandbox.withStore(at: sandbox.path("copy.sqlite")) { try await $0.users() }
            #expect(copied.map(\.name) == ["alice"])
        }
    }
}

extension AuthdResult {
    /// `user list --format csv` without its header and time columns: the names only.
    fileprivate var withoutTimes: AuthdResult {
        let names = stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").first ?? "" }
        return AuthdResult(
            status: status, signaled: signaled, stdout: names.map { $0 + "\n" }.joined(), stderr: stderr)
    }
}
