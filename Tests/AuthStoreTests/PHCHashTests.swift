import Testing

@testable import AuthStore

@Suite struct PHCHashTests {
    @Test func roundTripsThroughItsString() throws {
        let phc = PHCHash(iterations: 1234, salt: Array(0..<16), hash: Array(100..<132))
        let text = phc.string
        #expect(text == "$pbkdf2-sha256$i=1234$AAECAwQFBgcICQoLDA0ODw$ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM")
        let parsed = try #require(PHCHash(text))
        #expect(parsed == phc)
        #expect(parsed.string == text)
    }

    @Test func parsesAHashMadeByPython() throws {
        // python3: base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 1, 32)), "=" stripped.
        let parsed = try #require(PHCHash("$pbkdf2-sha256$i=1$c2FsdA$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs"))
        #expect(parsed.iterations == 1)
        #expect(parsed.salt == Array("salt".utf8))
        #expect(Hex.encode(parsed.hash) == "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")
    }

    static let malformed: [String] = [
        "",
        "$",
        "pbkdf2-sha256$i=1000$c2FsdA$aGFzaA",  // no leading "$"
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g",  // another algorithm
        "$pbkdf2-sha512$i=1000$c2FsdA$aGFzaA",
        "$PBKDF2-SHA256$i=1000$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$i=1000$c2FsdA",  // no hash
        "$pbkdf2-sha256$i=1000$c2FsdA$",  // empty hash
        "$pbkdf2-sha256$i=1000$$aGFzaA",  // empty salt
        "$pbkdf2-sha256$i=1000",
        "$pbkdf2-sha256$c2FsdA$aGFzaA",  // no cost
        "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA$extra",
        "$pbkdf2-sha256$i=0$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$i=-5$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$i=$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$i=abc$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$i=10x$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$i=2147483648$c2FsdA$aGFzaA",  // over Int32.max: OpenSSL takes an int
        "$pbkdf2-sha256$n=1000$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$i=1000$c2F*dA$aGFzaA",  // not Base64
        "$pbkdf2-sha256$i=1000$c2F sdA$aGFzaA",  // whitespace
        "$pbkdf2-sha256$i=1000$c2FsdA$aGFza",  // impossible Base64 length
        "$pbkdf2-sha256$i=1000$-_-_$aGFzaA",  // URL-safe alphabet
    ]

    @Test(arguments: malformed)
    func rejectsMalformed(_ text: String) {
        #expect(PHCHash(text) == nil)
    }

    @Test func base64() {
        #expect(Base64.encodeUnpadded(Array("salt".utf8)) == "c2FsdA")
        #expect(Base64.encodeUnpadded([0xfb, 0xff]) == "+/8")
        #expect(Base64.encodeURLUnpadded([0xfb, 0xff]) == "-_8")
        #expect(Base64.encodeURLUnpadded(Array(repeating: 0xff, count: 32)).count == 43)
        #expect(Base64.decode("c2FsdA") == Array("salt".utf8))
        #expect(Base64.decode("c2FsdA==") == Array("salt".utf8))
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("c2Fsd") == nil)
        #expect(Base64.decode("c2F$dA") == nil)
    }
}
