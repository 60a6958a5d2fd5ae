import AuthStore
import Foundation
import Testing

/// Every command on a PostgreSQL database, through the real binary and `--db URL`.
@Suite(.enabled(if: TestPostgresServer.isWanted), .timeLimit(.minutes(3)))
struct PostgresCommandTests {
    @Test func everyCommandWorksOnPostgreSQL() async throws {
        try await Sandbox.withPostgres { sandbox in
            // A new database: migrate up creates the schema, status reports it.
            let up = try await sandbox.authd("migrate", "up")
            #expect(up.status == 0, "\(up)")
            #expect(up.stdout.contains("applied 5 0005_login_attempts_in_flight.sql"), "\(up)")
            let status = try await sandbox.authd("migrate", "status")
            #expect(status.status == 0 && !status.stdout.contains("pending"), "\(status)")

            try await sandbox.addUser("alice", password: "first")
            try await sandbox.addUser("bob")
            let list = try await sandbox.authd("user", "list", "--format", "csv")
            #expect(list.status == 0, "\(list)")
            #expect(list.stdout.contains("alice") && list.stdout.contains("bob"), "\(list)")

            #expect(try await sandbox.authd("user", "passwd", "alice", "--password-stdin", stdin: "second\n").status == 0)
            #expect(try await sandbox.authd("user", "disable", "bob").status == 0)
            #expect(try await sandbox.authd("user", "enable", "bob").status == 0)

            let sessions = try await sandbox.withAnyStore { store in
                let alice = try #require(try await store.user(named: "alice"))
                return try await store.createSession(
                    for: alice, tokenHash: SecureRandom.bytes(32), policy: SessionPolicy(), rehash: nil, at: .now(),
                    context: AuditContext(address: "203.0.113.7"))
            }
            let session = try #require(sessions.session)
            let listed = try await sandbox.authd("session", "list", "--format", "csv")
            #expect(listed.stdout.contains(session.id), "\(listed)")
            #expect(try await sandbox.authd("session", "revoke", "--id", session.id).status == 0)

            #expect(try await sandbox.authd("throttle", "list").status == 0)
            #expect(try await sandbox.authd("throttle", "clear", "--user", "alice").status == 0)
            #expect(try await sandbox.authd("user", "delete", "bob").status == 0)

            let audit = try await sandbox.authd("audit", "query", "--format", "json")
            #expect(audit.status == 0, "\(audit)")
            for event in ["user_add", "user_passwd", "user_disable", "user_enable", "session_revoke", "throttle_clear", "user_delete"] {
                #expect(audit.stdout.contains("\"\(event)\""), "\(event) missing: \(audit)")
            }
            let verify = try await sandbox.authd("audit", "verify")
            #expect(verify.status == 0, "\(verify)")
            let prune = try await sandbox.authd("audit", "prune", "--before", "2099-01-01T00:00:00Z")
            #expect(prune.status == 0, "\(prune)")
            #expect(try await sandbox.authd("audit", "verify").status == 0)

            // backup is SQLite's; on PostgreSQL it names the tool to use and writes nothing.
            let backup = try await sandbox.authd("backup", sandbox.path("copy"))
            expectFailure(backup, "pg_dump")
            #expect(!sandbox.fileExists(sandbox.path("copy")))
        }
    }

    @Test func theURLPasswordIsNeverPrinted() async throws {
        try await Sandbox.with { sandbox in
            let down = try await sandbox.authd(
                arguments: ["user", "list", "--db", "postgres://authd:hunter2@127.0.0.1:1/authd"])
            expectFailure(down, "127.0.0.1:1")
            #expect(!down.stderr.contains("hunter2"))

            let config = try await sandbox.authd(
                arguments: ["serve", "--print-config", "--db", "postgres://authd:hunter2@db.example.com/authd"])
            #expect(config.status == 0, "\(config)")
            #expect(!config.stdout.contains("hunter2"), "\(config)")
            #expect(config.stdout.contains("postgres://authd:***@db.example.com:5432/authd?sslmode=verify-full"))
        }
    }

    @Test(arguments: [
        "postgres://a@h/d?sslmode=prefer", "postgres://a@h/d?application_name=x", "postgres://a@h:99999/d",
    ])
    func aMalformedURLIsOneLine(_ url: String) async throws {
        try await Sandbox.with { sandbox in
            expectFailure(try await sandbox.authd(arguments: ["user", "list", "--db", url]), "invalid PostgreSQL URL")
        }
    }

    @Test func readCommandsNeedTheSchemaAndCreateNothing() async throws {
        try await Sandbox.withPostgres { sandbox in
            // An empty database: a read-only command refuses, naming migrate up, and migrates nothing.
            expectFailure(try await sandbox.authd("user", "list"), "authd migrate up")
            let status = try await sandbox.authd("migrate", "status")
            #expect(status.stdout.contains("pending"), "\(status)")
        }
    }

    /// `user import` on PostgreSQL: pass 1 sees the users already there, pass 2 is one
    /// transaction, and an imported user logs in through a replica and is rehashed once.
    @Test func userImportWorksOnPostgreSQL() async throws {
        try await Sandbox.withPostgres { sandbox in
            try await sandbox.addUser("zoe")
            let bcrypt = ImportedHashVectors.accepted.first { $0.label == "bcrypt $2b$ (pyca bcrypt)" }!.hash
            let file = sandbox.path("users.htpasswd")
            try "alice:\(bcrypt)\nzoe:\(bcrypt)\n".write(toFile: file, atomically: true, encoding: .utf8)
            // zoe exists: reported by line, nothing written.
            let refused = try await sandbox.authd("user", "import", file)
            #expect(refused.status == 1 && refused.stderr.contains("line 2"), "\(refused)")
            let before = try await sandbox.withAnyStore { try await $0.users().map(\.name) }
            #expect(before == ["zoe"])

            try "alice:\(bcrypt)\n".write(toFile: file, atomically: true, encoding: .utf8)
            let imported = try await sandbox.authd("user", "import", file)
            #expect(imported.status == 0, "\(imported)")
            let list = try await sandbox.authd("user", "list", "--format", "csv")
            #expect(list.stdout.contains("alice,") && list.stdout.contains("bcrypt"), "\(list)")

            let server = try await ServedProcess(sandbox: sandbox)
            #expect(try await server.login("alice", ImportedHashVectors.password).status == 200)
            await server.stop()
            let alice = try await sandbox.withAnyStore { try await $0.user(named: "alice") }
            #expect(alice?.passwordHash.hasPrefix("$pbkdf2-sha256$") == true)
            let audit = try await sandbox.withAnyStore {
                try await $0.queryAudit(AuditQuery(events: [.userImport], limit: 10))
            }
            #expect(audit.map(\.entry.username) == ["alice"])
            #expect(try await sandbox.authd("audit", "verify").status == 0)
        }
    }
}
