import AuthStore
import Logging
import Testing

@testable import AuthService

/// Logging in with a hash imported from another system: checked by its scheme, replaced
/// by authd's own PBKDF2 at the first successful login (once), and part of every check's
/// cost while it is stored.
@Suite struct ImportedLoginTests {
    static let configured = 2_000
    static let password = "correct horse"
    static let labels = [
        "bcrypt $2y$ (htpasswd -B)", "sha512-crypt rounds=2000", "yescrypt -R 4", "argon2id (argon2-cffi)",
        "passlib pbkdf2-sha512", "django pbkdf2_sha256",
    ]

    func importVectors(into store: SQLiteAuthStore, at time: Timestamp) async throws -> [String] {
        var users: [ImportedUser] = []
        for (index, label) in Self.labels.enumerated() {
            let hash = try #require(ImportedHashVectors.accepted.first { $0.label == label }?.hash)
            users.append(ImportedUser(name: "user\(index)", hash: try PasswordHash(parsing: hash), disabled: false))
        }
        try await store.importUsers(users, at: time, context: .commandLine)
        return users.map(\.name)
    }

    func authenticator(_ app: TestApp, floor: CostFloor) -> Authenticator {
        Authenticator(
            store: app.store, hasher: PasswordHasher(iterations: Self.configured), pool: app.pool,
            policy: SessionPolicy(),
            refusals: RefusalAuditor(policy: RefusalAuditPolicy(), store: app.store, logger: Logger(label: "test")),
            costFloor: floor)
    }

    @Test func aMatchingImportedHashIsReplacedOnceByAuthdsOwn() async throws {
        let app = try await TestApp(users: [], iterations: Self.configured)
        let names = try await importVectors(into: app.store, at: app.clock.now)
        let floor = CostFloor(configuredCost: Self.configured, refreshInterval: .zero)
        let authenticator = authenticator(app, floor: floor)
        let context = AuditContext(address: "192.0.2.1")
        #expect(
            try await floor.current(from: app.store).imported.sorted.map(\.scheme)
                == [.pbkdf2SHA512, .bcrypt, .sha512Crypt, .yescrypt, .argon2id],
            "every imported scheme but PBKDF2-SHA256, which became authd's own form")

        for name in names {
            let before = try #require(try await app.store.user(named: name))
            await #expect(throws: AuthFailure.invalidCredentials) {
                _ = try await authenticator.login(username: name, password: "wrong", context: context)
            }
            #expect(try await app.store.user(named: name)?.passwordHash == before.passwordHash, "\(name)")

            _ = try await authenticator.login(username: name, password: Self.password, context: context)
            let after = try #require(try await app.store.user(named: name))
            let phc = try #require(PHCHash(after.passwordHash), "\(name): rehashed to authd's own form")
            #expect(phc.iterations == Self.configured)

            _ = try await authenticator.login(username: name, password: Self.password, context: context)
            #expect(try await app.store.user(named: name)?.passwordHash == after.passwordHash, "rehashed once")
        }
        #expect(try await app.store.importedPasswordHashes().isEmpty)
        #expect(try await floor.current(from: app.store).imported.sorted.isEmpty, "no imported scheme left to pad to")
        await app.close()
    }

    @Test func anImportedHashMetBeforeTheNextReadJoinsTheFloor() async throws {
        let app = try await TestApp(users: [], iterations: Self.configured)
        let floor = CostFloor(configuredCost: Self.configured, refreshInterval: .seconds(3600))
        #expect(try await floor.current(from: app.store).imported.sorted.isEmpty)
        _ = try await importVectors(into: app.store, at: app.clock.now)
        await #expect(throws: AuthFailure.invalidCredentials) {
            _ = try await authenticator(app, floor: floor).login(
                username: "user0", password: "wrong", context: AuditContext(address: "192.0.2.1"))
        }
        #expect(try await floor.current(from: app.store).imported.sorted.map(\.scheme) == [.bcrypt])
        await app.close()
    }
}
