import Foundation
import Testing

@testable import AuthStore

@Suite("authd user add")
struct UserAddTests {
    let hasher = PasswordHasher(iterations: 1000)

    @Test("adds the user with the password from stdin, audited as user_add from local")
    func addsUser() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", "alice", "--password-stdin", stdin: "s3cret pass\n")
            expectSuccess(result, stdout: "added user alice\n")

            try await sandbox.withStore { store throws in
                let users = try await store.users()
                #expect(users.map(\.name) == ["alice"])
                let alice = try #require(users.first)
                #expect(!alice.disabled)
                #expect(alice.passwordHash.hasPrefix("$pbkdf2-sha256$i=1000$"))
                #expect(hasher.verify("s3cret pass", against: alice.passwordHash) == .match(needsRehash: false))
                #expect(hasher.verify("s3cret pass\n", against: alice.passwordHash) == .mismatch)

                let audit = try await store.recentAudit(limit: 10)
                #expect(audit.count == 1)
                let record = try #require(audit.first)
                expectAdminAudit(record, .userAdd, username: "alice")
                #expect(record.entry.context.userAgent == "authd-cli")
            }
        }
    }

    /// Only the line ending goes: spaces stay, a missing final newline is fine, and only
    /// the first line counts.
    @Test(
        "the password is the first line of stdin without its line ending",
        arguments: [
            ("pw\n", "pw"),
            ("pw", "pw"),
            ("pw\r\n", "pw"),
            ("  spaced out  \n", "  spaced out  "),
            ("first\nsecond\n", "first"),
            ("pässwörd ✓\n", "pässwörd ✓"),
        ])
    func passwordLine(input: String, password: String) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", "alice", "--password-stdin", stdin: input)
            expectSuccess(result, stdout: "added user alice\n")
            let hash = try await sandbox.withStore { try #require(try await $0.user(named: "alice")).passwordHash }
            #expect(hasher.verify(password, against: hash) == .match(needsRehash: false))
            #expect(hasher.verify(input, against: hash) == (input == password ? .match(needsRehash: false) : .mismatch))
        }
    }

    @Test("a taken name fails with one line and changes nothing")
    func duplicate() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: "first")
            let before = try await sandbox.state()

            let result = try await sandbox.authd("user", "add", "alice", "--password-stdin", stdin: "second\n")
            expectFailure(result, "user \"alice\" already exists")

            let after = try await sandbox.state()
            #expect(after == before)
            #expect(after.users.count == 1)
            #expect(after.audit.count == 1)
            let hash = try #require(after.users.first).passwordHash
            #expect(hasher.verify("first", against: hash) == .match(needsRehash: false))
        }
    }

    @Test("an empty name is a usage error and opens no database")
    func emptyName() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", "", "--password-stdin", stdin: "pw\n")
            expectUsageError(result, "username must be 1 to 128 bytes")
            #expect(!sandbox.fileExists(sandbox.db))

            let missing = try await sandbox.authd("user", "add", "--password-stdin", stdin: "pw\n")
            expectUsageError(missing, "Missing expected argument '<name>'")
            #expect(!sandbox.fileExists(sandbox.db))
        }
    }

    @Test(
        "names are 1 to 128 bytes of UTF-8",
        arguments: [
            (String(repeating: "a", count: 128), true),
            (String(repeating: "é", count: 64), true),  // 128 bytes
            (String(repeating: "a", count: 129), false),
            (String(repeating: "é", count: 65), false),  // 65 characters, 130 bytes
        ])
    func nameLength(name: String, valid: Bool) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", name, "--password-stdin", stdin: "pw\n")
            if valid {
                expectSuccess(result, stdout: "added user \(name)\n")
                #expect(try await sandbox.state().users.map(\.name) == [name])
            } else {
                expectUsageError(result, "username must be 1 to 128 bytes")
                #expect(!sandbox.fileExists(sandbox.db))
            }
        }
    }

    @Test("a name with a control character is a usage error")
    func controlCharacterInName() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", "al\u{1b}[31mice", "--password-stdin", stdin: "pw\n")
            expectUsageError(result, "username must not contain control characters")
            #expect(!sandbox.fileExists(sandbox.db))
        }
    }

    @Test(
        "a missing, empty or too long password fails and adds nothing",
        arguments: [
            ("", "no password on standard input"),
            ("\n", "password must be 1 to 1024 bytes"),
            (String(repeating: "x", count: 1025) + "\n", "password must be 1 to 1024 bytes"),
            (String(repeating: "é", count: 513) + "\n", "password must be 1 to 1024 bytes"),  // 1026 bytes
            (String(repeating: "y", count: 10_000), "password must be 1 to 1024 bytes"),  // no line end at all
        ])
    func badPassword(input: String, message: String) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd("user", "add", "alice", "--password-stdin", stdin: input)
            expectFailure(result, message)
            let state = try await sandbox.state()
            #expect(state.users.isEmpty)
            #expect(state.audit.isEmpty)
        }
    }

    /// Login rejects bytes that are not UTF-8 (docs/api.md), so such a password could never be
    /// typed; the prompt refuses it, and so must stdin instead of storing U+FFFD in its place.
    @Test(
        "a password that is not UTF-8 fails and adds nothing",
        arguments: [
            Array("pa".utf8) + [0xff] + Array("ss\n".utf8),
            [0xc3, 0x28, 0x0a],  // a broken two-byte sequence
            Array("x".utf8) + [0xed, 0xa0, 0x80, 0x0a],  // an encoded surrogate
        ])
    func notUTF8(input: [UInt8]) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(
                arguments: ["user", "add", "alice", "--password-stdin", "--db", sandbox.db], stdinBytes: input)
            expectFailure(result, "password is not valid UTF-8")
            let state = try await sandbox.state()
            #expect(state.users.isEmpty)
            #expect(state.audit.isEmpty)
        }
    }

    @Test("a password of exactly 1024 bytes is accepted")
    func longestPassword() async throws {
        try await Sandbox.with { sandbox in
            let password = String(repeating: "é", count: 511) + "xy"  // 1022 + 2 bytes
            #expect(password.utf8.count == 1024)
            let result = try await sandbox.authd("user", "add", "alice", "--password-stdin", stdin: password + "\n")
            expectSuccess(result, stdout: "added user alice\n")
            let hash = try await sandbox.withStore { try #require(try await $0.user(named: "alice")).passwordHash }
            #expect(hasher.verify(password, against: hash) == .match(needsRehash: false))
        }
    }

    @Test("the PBKDF2 cost comes from --pbkdf2-iterations, else AUTHD_PBKDF2_ITERATIONS; the flag wins")
    func iterations() async throws {
        try await Sandbox.with { sandbox in
            let flag = try await sandbox.authd(
                "user", "add", "flag", "--password-stdin", "--pbkdf2-iterations", "1000", stdin: "pw\n",
                environment: ["AUTHD_PBKDF2_ITERATIONS": nil])
            expectSuccess(flag, stdout: "added user flag\n")
            let variable = try await sandbox.authd(
                "user", "add", "variable", "--password-stdin", stdin: "pw\n",
                environment: ["AUTHD_PBKDF2_ITERATIONS": "1200"])
            expectSuccess(variable, stdout: "added user variable\n")
            let both = try await sandbox.authd(
                "user", "add", "both", "--password-stdin", "--pbkdf2-iterations", "1100", stdin: "pw\n",
                environment: ["AUTHD_PBKDF2_ITERATIONS": "1300"])
            expectSuccess(both, stdout: "added user both\n")

            let hashes = try await sandbox.withStore { store throws in
                Dictionary(uniqueKeysWithValues: try await store.users().map { ($0.name, $0.passwordHash) })
            }
            #expect(hashes["flag"]?.hasPrefix("$pbkdf2-sha256$i=1000$") == true)
            #expect(hashes["variable"]?.hasPrefix("$pbkdf2-sha256$i=1200$") == true)
            #expect(hashes["both"]?.hasPrefix("$pbkdf2-sha256$i=1100$") == true)
        }
    }

    @Test("an invalid PBKDF2 cost fails before touching the database", arguments: ["0", "1.5", "many", "99999999999"])
    func invalidIterations(value: String) async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(
                "user", "add", "alice", "--password-stdin", "--pbkdf2-iterations", value, stdin: "pw\n")
            expectFailure(result, "invalid --pbkdf2-iterations \"\(value)\"")
            #expect(!sandbox.fileExists(sandbox.db))
        }
    }
}
