import Foundation
import Testing

@testable import AuthStore

@Suite("--db, AUTHD_DB and bad database files")
struct DatabaseOptionTests {
    @Test("a database in a directory that does not exist: one line, nothing created")
    func missingDirectory() async throws {
        try await Sandbox.with { sandbox in
            let path = sandbox.path("missing/authd.sqlite")
            let result = try await sandbox.authd(arguments: ["migrate", "up", "--db", path])
            expectFailure(result, "cannot create \(path): No such file or directory")
            #expect(!sandbox.fileExists(sandbox.path("missing")))
        }
    }

    @Test("a database under a regular file: one line")
    func parentIsAFile() async throws {
        try await Sandbox.with { sandbox in
            try Data("x".utf8).write(to: URL(fileURLWithPath: sandbox.path("file")))
            let path = sandbox.path("file/authd.sqlite")
            let result = try await sandbox.authd(arguments: ["migrate", "up", "--db", path])
            expectFailure(result, "cannot create \(path): Not a directory")
        }
    }

    @Test("a database that is a directory: one line")
    func pathIsADirectory() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(arguments: ["user", "list", "--db", sandbox.directory.path])
            expectFailure(result, "database \(sandbox.directory.path): ")
        }
    }

    @Test(
        "a database in a directory the user cannot write: one line",
        .disabled(if: geteuid() == 0, "root ignores permissions"))
    func unwritableDirectory() async throws {
        try await Sandbox.with { sandbox in
            let locked = sandbox.path("locked")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            #expect(chmod(locked, 0o500) == 0)
            defer { chmod(locked, 0o700) }
            let path = locked + "/authd.sqlite"
            let result = try await sandbox.authd(arguments: ["migrate", "up", "--db", path])
            expectFailure(result, "cannot create \(path): Permission denied")
        }
    }

    /// Every command, on a file that is not SQLite: a one-line failure and the file untouched
    /// (no journal or WAL beside it either).
    @Test(
        "a file that is not SQLite: one line, and the file is unchanged",
        arguments: [1, 200])  // lines of text: under and over a database page
    func notSQLite(lines: Int) async throws {
        try await Sandbox.with { sandbox in
            let data = Data(String(repeating: "some notes that are not a database\n", count: lines).utf8)
            try data.write(to: URL(fileURLWithPath: sandbox.db))
            #expect(chmod(sandbox.db, 0o640) == 0)

            for command in MigrateTests.commands {
                let result = try await sandbox.authd(
                    arguments: command.arguments + ["--db", sandbox.db], stdin: command.stdin)
                expectFailure(result, "database \(sandbox.db): file is not a database")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: sandbox.db)) == data)
            #expect(try sandbox.mode(sandbox.db) == 0o640)
            let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path)
            #expect(left == ["authd.sqlite"])
        }
    }

    @Test("AUTHD_DB is used when --db is absent")
    func environmentVariable() async throws {
        try await Sandbox.with { sandbox in
            let path = sandbox.path("from-env.sqlite")
            let result = try await sandbox.authd(
                arguments: ["user", "add", "alice", "--password-stdin"], stdin: "pw\n", environment: ["AUTHD_DB": path])
            expectSuccess(result, stdout: "added user alice\n")
            #expect(try await sandbox.withStore(at: path) { try await $0.users() }.map(\.name) == ["alice"])
            #expect(!sandbox.fileExists(sandbox.path("authd.sqlite")))
        }
    }

    @Test("--db wins over AUTHD_DB")
    func flagWins() async throws {
        try await Sandbox.with { sandbox in
            let fromEnvironment = sandbox.path("from-env.sqlite")
            let result = try await sandbox.authd(
                "user", "add", "alice", "--password-stdin", stdin: "pw\n", environment: ["AUTHD_DB": fromEnvironment])
            expectSuccess(result, stdout: "added user alice\n")
            #expect(try await sandbox.state().users.map(\.name) == ["alice"])
            #expect(!sandbox.fileExists(fromEnvironment))
        }
    }

    @Test("neither: ./authd.sqlite in the working directory (an empty AUTHD_DB counts as unset)")
    func defaultPath() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(
                arguments: ["user", "add", "alice", "--password-stdin"], stdin: "pw\n", environment: ["AUTHD_DB": ""])
            expectSuccess(result, stdout: "added user alice\n")
            #expect(try await sandbox.state().users.map(\.name) == ["alice"])
        }
    }

    @Test("the database file authd creates is private (0600)")
    func databaseMode() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            #expect(try sandbox.mode(sandbox.db) == 0o600)
        }
    }
}
