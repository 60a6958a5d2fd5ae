import Foundation
import Testing

@testable import AuthStore

/// The admin commands read `--config FILE` (or `AUTHD_CONFIG`) as `serve` does, so they use
/// the server's database, PBKDF2 cost and throttle window: flag > env > file > default.
@Suite("--config for the admin commands")
struct AdminConfigTests {
    private func write(_ sandbox: Sandbox, _ text: String) throws -> String {
        let path = sandbox.path("authd.toml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// No cheap PBKDF2 cost from the environment: the file's must be the one used.
    private let noCost: [String: String?] = ["AUTHD_PBKDF2_ITERATIONS": nil]

    @Test("user add and user passwd take db and pbkdf2-iterations from the file")
    func databaseAndCost() async throws {
        try await Sandbox.with { sandbox in
            let config = try write(
                sandbox,
                """
                db = "server.sqlite"
                pbkdf2-iterations = 1234
                port = 9999
                """)
            let added = try await sandbox.authd(
                arguments: ["user", "add", "alice", "--password-stdin", "--config", config], stdin: "pw\n",
                environment: noCost)
            expectSuccess(added, stdout: "added user alice\n")
            let server = sandbox.path("server.sqlite")
            #expect(!sandbox.fileExists(sandbox.db))
            let alice = try #require(try await sandbox.withStore(at: server) { try await $0.user(named: "alice") })
            #expect(alice.passwordHash.hasPrefix("$pbkdf2-sha256$i=1234$"), "\(alice.passwordHash)")

            // The environment beats the file, the flag beats both.
            let changed = try await sandbox.authd(
                arguments: ["user", "passwd", "alice", "--password-stdin", "--config", config], stdin: "pw2\n",
                environment: ["AUTHD_PBKDF2_ITERATIONS": "1100"])
            #expect(changed.status == 0, "\(changed)")
            let after = try #require(try await sandbox.withStore(at: server) { try await $0.user(named: "alice") })
            #expect(after.passwordHash.hasPrefix("$pbkdf2-sha256$i=1100$"), "\(after.passwordHash)")

            let listed = try await sandbox.authd(
                arguments: ["user", "list", "--format", "csv", "--config", config], environment: noCost)
            #expect(listed.status == 0 && listed.stdout.contains("\nalice,enabled,"), "\(listed)")
            // --db beats the file's db: the sandbox database does not exist.
            expectFailure(
                try await sandbox.authd(arguments: ["user", "list", "--config", config, "--db", sandbox.db]),
                "database \(sandbox.db) does not exist")
        }
    }

    @Test("AUTHD_CONFIG names the file as --config does, for every data command")
    func environmentVariable() async throws {
        try await Sandbox.with { sandbox in
            let config = try write(sandbox, "db = \"server.sqlite\"\n")
            let environment: [String: String?] = ["AUTHD_CONFIG": config]
            expectSuccess(
                try await sandbox.authd(
                    arguments: ["user", "add", "bob", "--password-stdin"], stdin: "pw\n", environment: environment),
                stdout: "added user bob\n")
            for arguments in [
                ["user", "disable", "bob"], ["user", "enable", "bob"], ["session", "revoke", "--user", "bob"],
                ["throttle", "clear", "--all"], ["audit", "prune", "--before", "1d"], ["migrate", "up"],
                ["session", "list"], ["throttle", "list"], ["audit"], ["audit", "verify"], ["migrate", "status"],
                ["backup", "copy.sqlite"], ["user", "delete", "bob"],
            ] {
                let result = try await sandbox.authd(arguments: arguments, environment: environment)
                #expect(result.status == 0, "\(arguments): \(result)")
            }
            #expect(!sandbox.fileExists(sandbox.db))
            #expect(sandbox.fileExists(sandbox.path("copy.sqlite")))
        }
    }

    @Test("throttle list counts in the file's throttle-window")
    func throttleWindow() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.withStore { store in
                try await store.recordFailedLogin("alice", from: "192.0.2.5", at: .now() - .seconds(1_800))
            }
            let header = "username,address,failures,first,last\n"
            // Default 5m: the failure 30 minutes ago is outside.
            expectSuccess(try await sandbox.authd("throttle", "list", "--format", "csv"), stdout: header)
            let config = try write(sandbox, "throttle-window = \"1h\"\n")
            let wide = try await sandbox.authd("throttle", "list", "--format", "csv", "--config", config)
            #expect(wide.status == 0 && wide.stdout.hasPrefix(header + "alice,192.0.2.5,1,"), "\(wide)")
            // The flag beats the file.
            expectSuccess(
                try await sandbox.authd(
                    "throttle", "list", "--format", "csv", "--config", config, "--throttle-window", "10m"),
                stdout: header)
        }
    }

    @Test("an unknown key or a bad value in the file fails as it does for serve: one line, nothing opened")
    func badFile() async throws {
        try await Sandbox.with { sandbox in
            let config = try write(sandbox, "db = \"server.sqlite\"\ndatabase = \"typo.sqlite\"\n")
            for arguments in [["user", "list"], ["user", "disable", "bob"], ["migrate", "up"]] {
                expectFailure(
                    try await sandbox.authd(arguments: arguments + ["--config", config]),
                    "config file \(config): unknown option \"database\"")
            }
            let badCost = try write(sandbox, "pbkdf2-iterations = 0\n")
            expectFailure(
                try await sandbox.authd(
                    arguments: ["user", "add", "bob", "--password-stdin", "--config", badCost], stdin: "pw\n",
                    environment: noCost),
                "invalid pbkdf2-iterations in \(badCost) \"0\"")
            let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path)
            #expect(left == ["authd.toml"])
        }
    }
}
