import Foundation
import Testing

@testable import AuthStore

/// `authd user import` through the real binary and a real SQLite file.
@Suite("authd user import")
struct UserImportTests {
    static func vector(_ label: String) -> String {
        ImportedHashVectors.accepted.first { $0.label == label }!.hash
    }
    static let bcrypt = vector("bcrypt cost 10")
    static let sha512 = vector("sha512-crypt (mkpasswd)")
    static let django = vector("django pbkdf2_sha256")
    static let argon = vector("argon2id (argon2-cffi)")

    func write(_ sandbox: Sandbox, _ name: String, _ text: String) throws -> String {
        let path = sandbox.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func htpasswdFileImportsEveryUserWithAnAuditRowAndListShowsTheirSchemes() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("zoe")
            let file = try write(
                sandbox, "users.htpasswd", "# nginx\nalice:\(Self.bcrypt)\nbob:\(Self.sha512)\ncarol:\(Self.django)\n")
            expectSuccess(
                try await sandbox.authd("user", "import", file),
                stdout: "importing 3 users\nimported 3 users (pbkdf2-sha256: 1, bcrypt: 1, sha512-crypt: 1); "
                    + "each is rehashed to PBKDF2 at their first login\n")
            let list = try await sandbox.authd("user", "list", "--format", "csv")
            let rows = list.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
            #expect(
                rows.map { [$0[0], $0[4]] } == [
                    ["username", "scheme"], ["alice", "bcrypt"], ["bob", "sha512-crypt"], ["carol", "pbkdf2-sha256"],
                    ["zoe", "pbkdf2-sha256"],
                ])
            let state = try await sandbox.state()
            #expect(state.users.first { $0.name == "alice" }?.passwordHash == Self.bcrypt)
            let imports = state.audit.filter { $0.entry.event == .userImport }.reversed()
            #expect(imports.map(\.entry.username) == ["alice", "bob", "carol"])
            #expect(imports.allSatisfy { $0.entry.context == .commandLine && $0.entry.outcome == .success })
            #expect(try await sandbox.authd("audit", "verify").status == 0)
        }
    }

    @Test func jsonLinesFromStandardInputWithTheFormatInferred() async throws {
        try await Sandbox.with { sandbox in
            let input = """
                {"username":"alice","password_hash":"\(Self.argon)"}
                {"username":"bob","password_hash":"\(Self.bcrypt)","disabled":true}

                """
            let result = try await sandbox.authd("user", "import", "-", stdin: input)
            #expect(result.status == 0, "\(result)")
            let users = try await sandbox.state().users
            #expect(users.map(\.name) == ["alice", "bob"])
            #expect(users.map(\.disabled) == [false, true])
            #expect(users.map(\.passwordScheme) == ["argon2id", "bcrypt"])
        }
    }

    @Test func everyProblemIsReportedByLineAndNothingIsWritten() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("bob")
            let file = try write(
                sandbox, "bad.txt",
                [
                    "alice:\(Self.bcrypt)", "bob:\(Self.bcrypt)", "carol:{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=",
                    "alice:\(Self.sha512)", "dave:$2b$03$" + String(repeating: "a", count: 53), "erin:\(Self.argon)",
                ].joined(separator: "\n"))
            let result = try await sandbox.authd("user", "import", file)
            #expect(result.status == 1 && result.stdout.isEmpty, "\(result)")
            #expect(
                result.stderr == """
                    \(file): line 2: user "bob" already exists
                    \(file): line 3: user "carol": {SHA} (unsalted SHA-1) hashes are too weak to import; have the user set a new password
                    \(file): line 4: user "alice" is also on line 1
                    \(file): line 5: user "dave": $2b$ hash out of limits: cost 3 is not 4 to 16
                    Error: 4 problems in \(file); nothing was imported

                    """)
            for hash in [Self.bcrypt, Self.sha512, Self.argon] {
                #expect(!result.stderr.contains(hash))
            }
            let state = try await sandbox.state()
            #expect(state.users.map(\.name) == ["bob"])
            #expect(!state.audit.contains { $0.entry.event == .userImport })
        }
    }

    @Test func badInputIsOneLine() async throws {
        try await Sandbox.with { sandbox in
            expectFailure(try await sandbox.authd("user", "import", sandbox.path("missing")), "cannot read")
            let empty = try write(sandbox, "empty", "# nothing\n")
            expectFailure(try await sandbox.authd("user", "import", empty), "no users in \(empty)")
            let usage = try await sandbox.authd("user", "import", empty, "--format", "csv")
            #expect(usage.status == 2, "\(usage)")
        }
    }

    @Test func dryRunCountsSchemesAndCostsWarnsAndWritesNothing() async throws {
        try await Sandbox.with { sandbox in
            let weak = "$2b$05$" + String(repeating: "a", count: 53)
            let file = try write(
                sandbox, "users",
                "alice:\(Self.bcrypt)\nbob:\(weak)\ncarol:\(Self.argon)\ndan:!\(Self.sha512):1:0:99999:7:::\n")
            let result = try await sandbox.authd(
                arguments: ["user", "import", file, "--dry-run", "--db", sandbox.db, "--pbkdf2-iterations", "1000"])
            #expect(result.status == 0, "\(result)")
            #expect(
                result.stdout == """
                    would import 4 users (1 disabled)
                      argon2id m=1024,t=2,p=1: 1
                      bcrypt cost=10: 1
                      bcrypt cost=5: 1
                      sha512-crypt rounds=5000: 1

                    """)
            #expect(
                result.stderr == """
                    Warning: \(file): line 2: user "bob": bcrypt cost 5 is below 10: weak until the user's first login replaces it
                    Warning: every login will also spend one bcrypt check at cost=10 until all bcrypt users have logged in once (equal timing)
                    Warning: every login will also spend one sha512-crypt check at rounds=5000 until all sha512-crypt users have logged in once (equal timing)
                    Warning: every login will also spend one argon2id check at m=1024,t=2,p=1 until all argon2id users have logged in once (equal timing)

                    """)
            #expect(!sandbox.fileExists(sandbox.db), "a dry run creates no database")
        }
    }

    /// All or nothing: `user import` killed with SIGKILL while its one transaction is being
    /// written leaves no user and no audit row of it, and the same import then succeeds.
    ///
    /// The test waits for the command to say it is importing, then watches the WAL grow
    /// (pages of the uncommitted transaction spilling from SQLite's cache) while no imported
    /// user is visible, and kills it then.
    @Test func aKilledImportLeavesNoPartialSet() async throws {
        try await Sandbox.with { sandbox in
            try #require(try await sandbox.authd("migrate", "up").status == 0)
            let count = 20_000
            let text = (0..<count).map { "user\($0):\(Self.bcrypt)" }.joined(separator: "\n")
            let file = try write(sandbox, "many", text)

            let process = Process()
            process.executableURL = AuthdProcess.binary
            process.arguments = ["user", "import", file, "--db", sandbox.db]
            process.currentDirectoryURL = sandbox.directory
            process.environment = AuthdProcess.environment([:])
            process.standardInput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let output = Pipe()
            process.standardOutput = output
            try process.run()

            // Pass 1 is over when the command says so (written unbuffered).
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("importing \(count) users\n") {
                let chunk = ChildProcess.read(output.fileHandleForReading)
                try #require(!chunk.isEmpty, "the import ended before it started writing")
                seen.append(chunk)
            }
            let watcher = try SQLiteConnection(path: sandbox.db)
            defer { watcher.close() }
            let wal = sandbox.db + "-wal"
            func walSize() -> Int {
                ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int) ?? 0
            }
            let baseline = walSize()
            // A commit of pages never spilled would grow the WAL too, but only after the
            // users became visible, which the check below would report.
            while walSize() < baseline + (256 << 10) {
                try #require(process.isRunning, "the import ended before it was seen writing")
                usleep(200)  // polling cadence, not a synchronisation
            }
            let visible = try watcher.scalarInt("SELECT count(*) FROM users")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
            #expect(visible == 0, "the transaction was still open when the test looked")

            #expect(try watcher.scalarInt("SELECT count(*) FROM users") == 0)
            #expect(try watcher.scalarInt("SELECT count(*) FROM audit_log WHERE event = 'user_import'") == 0)

            let again = try await sandbox.authd("user", "import", file)
            #expect(again.status == 0, "\(again)")
            #expect(try watcher.scalarInt("SELECT count(*) FROM users") == Int64(count))
            #expect(try watcher.scalarInt("SELECT count(*) FROM audit_log WHERE event = 'user_import'") == Int64(count))
        }
    }
}
