import Testing

@testable import AuthStore

/// The first pass of `user import`, without a database: every line checked, every problem
/// reported with its line number, never a whole hash.
@Suite struct ImportFileTests {
    static let bcrypt = ImportedHashVectors.accepted.first { $0.label == "bcrypt $2y$ (htpasswd -B)" }!.hash
    static let argon = ImportedHashVectors.accepted.first { $0.label == "argon2id (argon2-cffi)" }!.hash
    static let sha512 = ImportedHashVectors.accepted.first { $0.label == "sha512-crypt (mkpasswd)" }!.hash
    static let django = ImportedHashVectors.accepted.first { $0.label == "django pbkdf2_sha256" }!.hash

    @Test func htpasswdWithCommentsBlankLinesAndCRLF() {
        let file = ImportFile(
            parsing: "# from nginx\n\nalice:\(Self.bcrypt)\r\nbob:\(Self.django)\n", format: .htpasswd)
        #expect(file.problems.isEmpty)
        #expect(file.entries.map(\.line) == [3, 4])
        #expect(file.entries.map(\.user.name) == ["alice", "bob"])
        #expect(file.entries.map(\.user.scheme) == [.bcrypt, .pbkdf2SHA256])
        #expect(file.entries[0].user.passwordHash == Self.bcrypt)
        #expect(file.entries[1].user.passwordHash.hasPrefix("$pbkdf2-sha256$i=1000$"))
        #expect(file.entries.allSatisfy { !$0.user.disabled })
    }

    @Test func shadowLinesLockedAccountsImportDisabledAndNoPasswordIsAnError() {
        let text = """
            root:*:19000:0:99999:7:::
            carol:\(Self.sha512):19000:0:99999:7:::
            dave:!\(Self.sha512):19000:0:99999:7:::
            erin:!:19000:0:99999:7:::
            frank::19000:0:99999:7:::
            """
        let file = ImportFile(parsing: text, format: .htpasswd)
        #expect(file.entries.map(\.user.name) == ["carol", "dave"])
        #expect(file.entries.map(\.user.disabled) == [false, true])
        #expect(file.entries[1].user.passwordHash == Self.sha512, "the lock mark is not part of the hash")
        #expect(file.problems.map(\.line) == [1, 4, 5])
        #expect(file.problems.allSatisfy { $0.message.contains("has no password in this shadow file") })
    }

    @Test func jsonLinesWithDisabledAndUnknownKeysRefused() {
        let text = """
            {"username":"alice","password_hash":"\(Self.argon)"}
            {"username":"bob","password_hash":"\(Self.bcrypt)","disabled":true}
            {"username":"carl","password_hash":"\(Self.bcrypt)","email":"c@example.com"}
            {"username":"dan","password_hash":"\(Self.bcrypt)","disabled":"yes"}
            {"username":"eve"}
            not json
            """
        let file = ImportFile(parsing: text, format: .jsonl)
        #expect(file.entries.map(\.user.name) == ["alice", "bob"])
        #expect(file.entries.map(\.user.disabled) == [false, true])
        #expect(
            file.problems.map(\.description) == [
                "line 3: unknown key \"email\" (expected username, password_hash, disabled)",
                "line 4: \"disabled\" must be true or false",
                "line 5: \"password_hash\" must be a string",
                "line 6: not a JSON object",
            ])
    }

    @Test func everyProblemIsReportedWithItsLineAndNeverTheHash() {
        let secretish = "$zz$" + String(repeating: "q", count: 30)
        let text = [
            "alice:\(Self.bcrypt)",
            "alice:\(Self.argon)",
            " bob:\(Self.bcrypt)",
            "carol:$apr1$abcdefgh$0123456789abcdefghijkl",
            "dave:\(secretish)",
            "erin:$2b$17$" + String(repeating: "a", count: 53),
            "frank:a:b",
            "gina:",
        ].joined(separator: "\n")
        let file = ImportFile(parsing: text, format: .htpasswd)
        #expect(file.entries.map(\.user.name) == ["alice"])
        #expect(
            file.problems.map(\.description) == [
                "line 2: user \"alice\" is also on line 1",
                "line 3: username must not begin or end with white space",
                "line 4: user \"carol\": apr1 ($apr1$, Apache MD5) hashes are too weak to import; have the user set a new password",
                "line 5: user \"dave\": unrecognised password hash scheme $zz$",
                "line 6: user \"erin\": $2b$ hash out of limits: cost 17 is not 4 to 16",
                "line 7: expected name:hash (htpasswd) or the 9 fields of /etc/shadow, found 3 fields",
                "line 8: user \"gina\" has no password hash",
            ])
        for problem in file.problems {
            #expect(!problem.message.contains(secretish) && !problem.message.contains(Self.argon))
        }
    }

    @Test func weakBcryptCostsAreWarnings() {
        let low = "$2b$05$" + String(repeating: "a", count: 53)
        let file = ImportFile(parsing: "alice:\(low)\n", format: .htpasswd)
        #expect(file.problems.isEmpty && file.entries.count == 1)
        #expect(file.warnings.map(\.line) == [1])
    }

    @Test func theFormatIsInferredFromTheFirstLine() {
        #expect(ImportFormat.infer(from: "\n  {\"username\":\"a\"}") == .jsonl)
        #expect(ImportFormat.infer(from: "# comment\n{") == .htpasswd)
        #expect(ImportFormat.infer(from: "alice:$2y$...") == .htpasswd)
        #expect(ImportFormat.infer(from: "") == .htpasswd)
    }
}
