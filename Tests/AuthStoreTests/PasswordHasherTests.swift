import Foundation
import Testing

@testable import AuthStore

/// Low costs throughout: the 600,000-iteration default would make the suite slow.
@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher(iterations: 1000)

    @Test func hashHasThePHCFormat() throws {
        let text = hasher.hash("correct horse")
        let pattern = #/^\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/#
        #expect(text.wholeMatch(of: pattern) != nil, "\(text)")
        let phc = try #require(PHCHash(text))
        #expect(phc.iterations == 1000)
        #expect(phc.salt.count == PasswordHasher.saltLength)
        #expect(phc.salt.count == 16)
        #expect(phc.hash.count == 32)
        // The stored key is PBKDF2 of the password's UTF-8 bytes with the stored salt.
        #expect(phc.hash == PBKDF2.sha256(password: Array("correct horse".utf8), salt: phc.salt, iterations: 1000))
    }

    @Test func verifiesTheRightPasswordOnly() {
        let stored = hasher.hash("pässwörd 🔑")
        #expect(hasher.verify("pässwörd 🔑", against: stored) == .match(needsRehash: false))
        #expect(hasher.verify("pässwörd 🔑 ", against: stored) == .mismatch)
        #expect(hasher.verify("passwörd 🔑", against: stored) == .mismatch)
        #expect(hasher.verify("", against: stored) == .mismatch)
    }

    @Test func verifiesAHashMadeByPython() {
        // python3: salt = bytes(range(16)); key = hashlib.pbkdf2_hmac("sha256", "hunter2 ünïcode".encode(), salt, 1000, 32);
        // both Base64-encoded with "=" stripped.
        let stored = "$pbkdf2-sha256$i=1000$AAECAwQFBgcICQoLDA0ODw$FjdyGS6X1BIx+uXq73Wz1nAybdqH0vAMUizvedGlKvw"
        #expect(hasher.verify("hunter2 ünïcode", against: stored) == .match(needsRehash: false))
        #expect(hasher.verify("hunter2 unicode", against: stored) == .mismatch)
    }

    @Test func samePasswordHashesDifferently() {
        let first = hasher.hash("same")
        let second = hasher.hash("same")
        #expect(first != second)
        #expect(PHCHash(first)?.salt != PHCHash(second)?.salt)
        #expect(hasher.verify("same", against: first) == .match(needsRehash: false))
        #expect(hasher.verify("same", against: second) == .match(needsRehash: false))
    }

    @Test func storedCostOtherThanConfiguredNeedsRehash() {
        let old = PasswordHasher(iterations: 1000).hash("secret")
        let stronger = PasswordHasher(iterations: 2000)
        #expect(stronger.verify("secret", against: old) == .match(needsRehash: true))
        // The old cost still verifies, and still rejects a wrong password.
        #expect(stronger.verify("wrong", against: old) == .mismatch)
        #expect(stronger.verify("secret", against: stronger.hash("secret")) == .match(needsRehash: false))
        // A stored cost above the configured one is replaced too: it would set every login's time.
        #expect(PasswordHasher(iterations: 500).verify("secret", against: old) == .match(needsRehash: true))
        #expect(PasswordHasher(iterations: 500).cost(of: old) == 1000)
        #expect(PasswordHasher(iterations: 500).cost(of: "not a hash") == 500)
    }

    @Test func unparseableStoredHashNeverMatches() {
        #expect(hasher.verify("secret", against: "") == .mismatch)
        #expect(hasher.verify("secret", against: "secret") == .mismatch)
        #expect(hasher.verify("secret", against: "$pbkdf2-sha256$i=0$c2FsdA$aGFzaA") == .mismatch)
    }
}
