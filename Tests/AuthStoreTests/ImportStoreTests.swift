import Testing

@testable import AuthStore

/// ``AuthStorage/importUsers(_:at:context:)``: all users and their audit rows in one
/// transaction, or nothing.
@Suite struct ImportStoreTests {
    static func users(_ names: [String], disabled: Set<String> = []) throws -> [ImportedUser] {
        let hash = try PasswordHash(parsing: ImportedHashVectors.accepted[9].hash)  // bcrypt
        return names.map { ImportedUser(name: $0, hash: hash, disabled: disabled.contains($0)) }
    }

    @Test(arguments: Engine.all) func everyUserIsWrittenWithAUserImportAuditRowInTheChain(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await store.addUser(name: "zed", passwordHash: Fixture.hashA, at: Fixture.t0, context: .commandLine)
            try await store.importUsers(
                try Self.users(["alice", "bob"], disabled: ["bob"]), at: Fixture.t0, context: .commandLine)
            let users = try await store.users()
            #expect(users.map(\.name) == ["alice", "bob", "zed"])
            #expect(users.map(\.disabled) == [false, true, false])
            #expect(users.map(\.passwordScheme) == ["bcrypt", "bcrypt", "pbkdf2-sha256"])
            let audit = try await store.allAudit().dropFirst()
            #expect(audit.map(\.entry.event) == [.userImport, .userImport])
            #expect(audit.map(\.entry.username) == ["alice", "bob"])
            #expect(audit.map(\.entry.detail) == ["scheme=bcrypt", "scheme=bcrypt disabled"])
            #expect(try await store.verifyAuditChain { _, _ in }.failure == nil)
            #expect(try await store.importedPasswordHashes().count == 2, "the PBKDF2-SHA256 user is authd's own")
        }
    }

    @Test(arguments: Engine.all) func aTakenNameWritesNothing(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            try await store.addUser(name: "bob", passwordHash: Fixture.hashA, at: Fixture.t0, context: .commandLine)
            let code = await storeErrorCode {
                try await store.importUsers(
                    try Self.users(["alice", "bob", "carol"]), at: Fixture.t0, context: .commandLine)
            }
            #expect(code == .userExists)
            #expect(try await store.users().map(\.name) == ["bob"])
            #expect(try await store.count("audit_log") == 1)
        }
    }

    @Test(arguments: Engine.all) func aNameTheRuleRefusesWritesNothing(engine: Engine) async throws {
        try await withStore(engine) { store, _ throws in
            let code = await storeErrorCode {
                try await store.importUsers(
                    try Self.users(["alice", "bad\u{7}"]), at: Fixture.t0, context: .commandLine)
            }
            #expect(code == .invalidInput)
            #expect(try await store.userCount() == 0)
        }
    }
}
