import CLibCrypto

/// PBKDF2-HMAC through OpenSSL's `PKCS5_PBKDF2_HMAC`: SHA-256 for authd's own hashes,
/// SHA-1 and SHA-512 for hashes imported from other systems.
public enum PBKDF2 {
    /// The HMAC digests imported hashes use.
    public enum Digest: Int, Sendable, CaseIterable {
        case sha1 = 1
        case sha256 = 256
        case sha512 = 512
    }

    /// Derives `length` bytes. Blocking and deliberately slow: callers run it off the
    /// event loop.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        derive(.sha256, password: password, salt: salt, iterations: iterations, length: length)
    }

    /// Derives `length` bytes with `digest`'s HMAC.
    public static func derive(_ digest: Digest, password: [UInt8], salt: [UInt8], iterations: Int, length: Int)
        -> [UInt8]
    {
        precondition(iterations > 0 && iterations <= Int(Int32.max), "PBKDF2 iterations out of range")
        var out = [UInt8](repeating: 0, count: length)
        let ok = password.withUnsafeBytes { pw in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    clibcrypto_pbkdf2(
                        Int32(digest.rawValue), pw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(pw.count),
                        s.baseAddress, Int32(s.count), Int32(iterations), o.baseAddress, Int32(length))
                }
            }
        }
        precondition(ok == 1, "OpenSSL PKCS5_PBKDF2_HMAC failed")
        return out
    }
}
