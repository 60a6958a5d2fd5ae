import Foundation
import Testing

@testable import AuthStore

/// The username rule at the command line: `user add` refuses what login would refuse as
/// malformed, and names created before the rule stay manageable.
@Suite("authd user: the username rule")
struct UsernameRuleTests {
    @Test(
        "user add refuses a name that breaks the rule, before opening the database",
        arguments: [
            ("alice ", "username must not begin or end with white space"),
            (" alice", "username must not begin or end with white space"),
            ("alice\u{A0}", "username must not begin or end with white space"),
            ("al\u{85}ice", "username must not contain control characters"),
            ("al\u{202E}ice", "username must not contain control characters"),
            ("al\u{200F}ice", "username must not contain control characters"),
        ])
    func addRefuses(name: String, message: String) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", name, "--password-stdin", stdin: "pw\n")
            expectUsageError(result, message)
            #expect(!sandbox.fileExists(sandbox.db))
        }
    }

    @Test("white space inside a name is fine")
    func innerSpace() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", "alice smith", "--password-stdin", stdin: "pw\n")
            expectSuccess(result, stdout: "added user alice smith\n")
        }
    }

    @Test("a user whose name predates the rule can still be listed, disabled, enabled and deleted")
    func existingNameStaysManageable() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("bob")
            // The store refuses such a name now; older versions wrote it.
            try sandbox.sql(
                """
                INSERT INTO users (username, password_hash, disabled, created_at, updated_at)
                SELECT 'alice ', password_hash, 0, created_at, updated_at FROM users WHERE username = 'bob'
                """)
            let list = try await sandbox.authd("user", "list", "--format", "json")
            #expect(list.status == 0, "\(list)")
            #expect(list.stdout.contains(#""alice ""#), "\(list)")

            expectSuccess(
                try await sandbox.authd("user", "disable", "alice "),
                stdout: "disabled user alice ; their sessions have ended\n")
            expectSuccess(try await sandbox.authd("user", "enable", "alice "), stdout: "enabled user alice \n")
            expectSuccess(try await sandbox.authd("user", "delete", "alice "), stdout: "deleted user alice \n")
            #expect(try await sandbox.state().users.map(\.name) == ["bob"])
        }
    }
}
