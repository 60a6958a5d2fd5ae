import Testing

@testable import AuthStore

/// Known answers for every imported scheme (ImportedHashVectors, made by the reference
/// implementations): the right password matches, a wrong one does not, a match asks for a
/// rehash; weak schemes and costs out of limits are refused by name.
@Suite struct ImportedHashTests {
    /// Not the vectors' PBKDF2 cost, so that every match asks for a rehash.
    static let hasher = PasswordHasher(iterations: 1_500)
    static let password = ImportedHashVectors.password

    @Test(arguments: ImportedHashVectors.accepted.map(\.hash))
    func theRightPasswordMatchesAndAsksForARehash(_ hash: String) throws {
        let parsed = try PasswordHash(parsing: hash)
        for stored in [hash, parsed.stored] {
            #expect(Self.hasher.verify(Self.password, against: stored) == .match(needsRehash: true), "\(stored)")
            #expect(Self.hasher.verify(Self.password + " ", against: stored) == .mismatch)
            #expect(Self.hasher.verify("", against: stored) == .mismatch)
        }
        #expect(try PasswordHash(parsing: parsed.stored) == parsed, "the stored form reads back the same")
    }

    @Test func schemesAndCostsAreRead() throws {
        let schemes = try ImportedHashVectors.accepted.map { try PasswordHash(parsing: $0.hash) }
            .map { "\($0.scheme.rawValue) \($0.cost)" }
        #expect(
            schemes == [
                "pbkdf2-sha256 i=1000", "pbkdf2-sha1 i=1000", "argon2id m=102400,t=2,p=8", "pbkdf2-sha256 i=1000",
                "pbkdf2-sha512 i=1000", "pbkdf2-sha1 i=1000", "pbkdf2-sha256 i=1000", "pbkdf2-sha512 i=1000",
                "pbkdf2-sha256 i=27500", "bcrypt cost=4", "bcrypt cost=4", "bcrypt cost=4", "bcrypt cost=10",
                "sha512-crypt rounds=5000", "sha256-crypt rounds=1000", "sha512-crypt rounds=2000",
                "yescrypt N=4096,r=32", "yescrypt N=2048,r=32", "argon2id m=1024,t=2,p=1", "argon2i m=1024,t=2,p=2",
                "argon2id m=65536,t=3,p=4",
            ])
    }

    @Test func pbkdf2SHA256FromAnywhereBecomesAuthdsOwnForm() throws {
        for label in ["django pbkdf2_sha256", "passlib pbkdf2-sha256", "kratos pbkdf2-sha256"] {
            let hash = try #require(ImportedHashVectors.accepted.first { $0.label == label }?.hash)
            let stored = try PasswordHash(parsing: hash).stored
            let phc = try #require(PHCHash(stored), "\(label): \(stored)")
            #expect(phc.iterations == 1_000 && phc.string == stored)
            #expect(
                PasswordHasher(iterations: 1_000).verify(Self.password, against: stored) == .match(needsRehash: false),
                "now authd's own hash at the configured cost: nothing to replace")
        }
        // Django's salt is text: its UTF-8 bytes are the salt.
        let django = try PasswordHash(parsing: "pbkdf2_sha256$1000$abc$" + String(repeating: "A", count: 44))
        guard case .pbkdf2(let hash) = django else {
            Issue.record("not PBKDF2")
            return
        }
        #expect(hash.salt == Array("abc".utf8))
    }

    @Test func djangosArgon2PrefixIsDropped() throws {
        let hash = try #require(ImportedHashVectors.accepted.first { $0.label == "django argon2" }?.hash)
        #expect(try PasswordHash(parsing: hash).stored == String(hash.dropFirst("argon2".count)))
    }

    @Test(arguments: ImportedHashVectors.weak)
    func weakSchemesAreRefusedByName(_ vector: (label: String, hash: String)) {
        #expect {
            try PasswordHash(parsing: vector.hash)
        } throws: { error in
            guard case .weak(let scheme) = error as? HashProblem else { return false }
            let message = "\(error)"
            return message.contains(scheme) && message.contains("too weak") && !message.contains(vector.hash)
        }
        #expect(Self.hasher.verify(Self.password, against: vector.hash) == .mismatch)
    }

    @Test func weakSchemeNames() {
        let names = ImportedHashVectors.weak.map { WeakHash.scheme(of: $0.hash) ?? "-" }
        #expect(
            names == [
                "apr1 ($apr1$, Apache MD5)", "{SHA} (unsalted SHA-1)", "DES crypt", "md5-crypt ($1$)",
                "{SSHA} (salted SHA-1)", "bare hex digest (32 hex digits, unsalted)",
                "bare hex digest (64 hex digits, unsalted)",
            ])
    }

    static let salt22 = String(repeating: "a", count: 22)
    static let bcryptTail = String(repeating: "a", count: 53)

    @Test(arguments: [
        ("$2b$03$" + bcryptTail, "cost 3 is not 4 to 16"),
        ("$2b$17$" + bcryptTail, "cost 17 is not 4 to 16"),
        ("$argon2id$v=19$m=262145,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "m ≤ 262144 KiB"),
        ("$argon2id$v=19$m=1024,t=11,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "t ≤ 10"),
        ("$argon2i$v=19$m=1024,t=1,p=17$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "p ≤ 16"),
        ("$pbkdf2-sha256$i=999$c2FsdHNhbHQ$" + String(repeating: "A", count: 43), "iterations must be 1000"),
        ("pbkdf2_sha256$999$salt$" + String(repeating: "A", count: 44), "iterations must be 1000"),
        ("$6$rounds=10000001$salt$" + String(repeating: "a", count: 86), "rounds must be at most 10000000"),
        ("$y$jET$" + salt22 + "$" + String(repeating: "a", count: 43), "at most 256 MiB"),
    ])
    func costsOutOfLimitsAreRefused(_ hash: String, _ message: String) {
        #expect {
            try PasswordHash(parsing: hash)
        } throws: { error in
            guard case .outOfLimits = error as? HashProblem else { return false }
            return "\(error)".contains(message) && !"\(error)".contains(hash)
        }
    }

    @Test func aWeakBcryptCostImportsWithAWarning() throws {
        let low = try PasswordHash(parsing: "$2b$09$" + Self.bcryptTail)
        #expect(low.warning?.contains("bcrypt cost 9 is below 10") == true)
        #expect(try PasswordHash(parsing: "$2b$10$" + Self.bcryptTail).warning == nil)
    }

    @Test func bcryptReadsSeventyTwoBytesAndNeverMatchesAPasswordWithNUL() {
        let long = ImportedHashVectors.bcryptLong
        let x72 = String(repeating: "x", count: 72)
        #expect(Self.hasher.verify(x72, against: long) == .match(needsRehash: true))
        #expect(Self.hasher.verify(x72 + "anything", against: long) == .match(needsRehash: true), "bcrypt's truncation")
        #expect(Self.hasher.verify(String(repeating: "x", count: 71), against: long) == .mismatch)

        let bcrypt = ImportedHashVectors.accepted.first { $0.label == "bcrypt $2b$ (pyca bcrypt)" }!.hash
        #expect(Self.hasher.verify(Self.password, against: bcrypt) == .match(needsRehash: true))
        #expect(
            Self.hasher.verify(Self.password + "\0more", against: bcrypt) == .mismatch,
            "crypt would see only the part before the NUL")
    }

    @Test func unknownSchemesNameOnlyTheirPrefix() {
        let secret = "$foo$" + String(repeating: "s", count: 40)
        #expect(throws: HashProblem.unrecognised(prefix: "$foo$")) { try PasswordHash(parsing: secret) }
        #expect(throws: HashProblem.unrecognised(prefix: nil)) { try PasswordHash(parsing: "plaintext password") }
        #expect(throws: HashProblem.unrecognised(prefix: "sha1$")) { try PasswordHash(parsing: "sha1$salt$abcdef") }
        #expect(throws: HashProblem.empty) { try PasswordHash(parsing: "") }
    }

    @Test func yescryptParametersDecodeAsLibxcryptEncodesThem() {
        #expect(YescryptParameters("j9T") == YescryptParameters(n: 4096, r: 32, p: 1, t: 0))
        #expect(YescryptParameters("j8T")?.n == 2048)
        #expect(YescryptParameters("") == nil)
        #expect(YescryptParameters("j9") == nil)
    }

    @Test func theCostliestHashOfEachSchemeIsKept() throws {
        let bcrypt = try PasswordHash(parsing: "$2b$04$" + Self.bcryptTail)
        let argon = try PasswordHash(parsing: ImportedHashVectors.accepted[18].hash)
        var costliest = CostliestHashes()
        costliest.include(bcrypt)
        costliest.include(try PasswordHash(parsing: "$2b$10$" + Self.bcryptTail))
        costliest.include(bcrypt)
        costliest.include(argon)
        #expect(
            costliest.sorted.map { "\($0.scheme.rawValue) \($0.hash.cost)" } == [
                "bcrypt cost=10", "argon2id m=1024,t=2,p=1",
            ])
    }
}
