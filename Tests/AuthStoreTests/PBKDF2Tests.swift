import Testing

@testable import AuthStore

private func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

@Suite struct PBKDF2Tests {
    // RFC 7914 §11 (the scrypt RFC publishes these PBKDF2-HMAC-SHA256 vectors).
    @Test func rfc7914ShortVector() {
        let key = PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64)
        #expect(
            Hex.encode(key) == """
                55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
                49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783
                """)
    }

    // The one test allowed a high count: it is the published vector (80,000 iterations).
    @Test func rfc7914LongVector() {
        let key = PBKDF2.sha256(
            password: Array("Password".utf8), salt: Array("NaCl".utf8), iterations: 80_000, length: 64)
        #expect(
            Hex.encode(key) == """
                4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56\
                a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d
                """)
    }

    /// Expected keys produced with Python 3.11:
    /// `hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, length).hex()`,
    /// and cross-checked against a pure-Python PBKDF2 loop over `hmac.new(..., hashlib.sha256)`.
    struct Vector: Sendable, CustomTestStringConvertible {
        let password: String
        let salt: [UInt8]
        let iterations: Int
        let length: Int
        let key: String
        var testDescription: String { "\(password.debugDescription) c=\(iterations) dkLen=\(length)" }
    }

    static let pythonVectors: [Vector] = [
        Vector(
            password: "password", salt: Array("salt".utf8), iterations: 1, length: 32,
            key: "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        Vector(
            password: "password", salt: Array("salt".utf8), iterations: 2, length: 32,
            key: "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        Vector(
            password: "password", salt: Array("salt".utf8), iterations: 4096, length: 32,
            key: "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        Vector(
            password: "pässwörd", salt: Array("NaCl".utf8), iterations: 1000, length: 32,
            key: "0f624177185c08c675c24224bae05b0d902daf7c99d18ae719174038a02e92a8"),
        Vector(
            password: "パスワード🔑", salt: Array(0..<16), iterations: 2000, length: 32,
            key: "7fdf7383f1aa50b9007d7a783156cfea6794fcdd03f4bb6a202cd7d1aa2ef001"),
        // Longer than one SHA-256 block (two PBKDF2 blocks), binary salt with NUL bytes.
        Vector(
            password: "correct horse battery staple", salt: Array(repeating: [0x00, 0xff], count: 8).flatMap { $0 },
            iterations: 1500, length: 48,
            key: "dcdc195f370f90a3b4e972fd0796009d8f2d4db1fd1b9675cef9f8bcdeb3168853c409332ed05354e6c504fd9f228da0"),
        // Empty password (never stored, but a caller can pass one): the C call gets a NULL buffer.
        Vector(
            password: "", salt: Array("salt".utf8), iterations: 3, length: 16, key: "5ddf839afa2d5fb4be56e1a0f4891761"),
    ]

    @Test(arguments: pythonVectors)
    func matchesPython(_ vector: Vector) {
        let key = PBKDF2.sha256(
            password: Array(vector.password.utf8), salt: vector.salt,
            iterations: vector.iterations, length: vector.length)
        #expect(Hex.encode(key) == vector.key)
        #expect(key == hex(vector.key))
    }

    @Test func sha256KnownAnswers() {
        // FIPS 180-2 examples.
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func constantTimeEqual() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equal([], []))
    }
}
