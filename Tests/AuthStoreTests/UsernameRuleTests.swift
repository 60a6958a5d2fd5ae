import Testing

@testable import AuthStore

/// The one username rule (docs/api.md "Credentials"): 1–128 bytes of UTF-8, no control or
/// bidirectional control characters, no leading or trailing white space.
@Suite struct UsernameRuleTests {
    @Test(
        "valid names",
        arguments: [
            "alice", "a", "jürgen", "alice smith", "Ålice_Ø-2", "用户", "🦊fox", "a\u{200D}b",
            String(repeating: "a", count: 128), String(repeating: "é", count: 64),
        ])
    func valid(name: String) {
        #expect(User.isValidName(name))
        #expect(User.nameProblem(name) == nil)
    }

    @Test(
        "names breaking the rule",
        arguments: [
            // length
            "", String(repeating: "a", count: 129), String(repeating: "é", count: 65),
            // leading or trailing white space (Unicode White_Space)
            "alice ", " alice", "\talice", "alice\n", "alice\u{A0}", "\u{2003}alice", "alice\u{3000}",
            "alice\u{2028}", "alice\u{85}", "\u{1680}alice",
            // control characters, C0, DEL and C1, anywhere
            "a\u{0}b", "a\u{1B}[31mb", "a\u{7F}b", "a\u{80}b", "a\u{9F}b", "a\u{85}b",
            // bidirectional controls
            "a\u{061C}b", "a\u{200E}b", "a\u{200F}b", "a\u{202A}b", "a\u{202B}b", "a\u{202C}b", "a\u{202D}b",
            "a\u{202E}b", "a\u{2066}b", "a\u{2067}b", "a\u{2068}b", "a\u{2069}b",
        ])
    func invalid(name: String) {
        #expect(!User.isValidName(name))
        #expect(User.nameProblem(name) != nil)
    }

    @Test("the store refuses to create a user whose name breaks the rule")
    func storeRefuses() async throws {
        try await withStore { store, _ in
            for name in ["alice ", "al\u{202E}ice", "al\u{85}ice"] {
                #expect(
                    await storeErrorCode {
                        try await store.addUser(
                            name: name, passwordHash: Fixture.hashA, at: Fixture.t0, context: Fixture.context)
                    } == .invalidInput, "\(name.debugDescription)")
            }
            let users = try await store.userCount()
            let auditRows = try await store.count("audit_log")
            #expect(users == 0 && auditRows == 0)
        }
    }
}
