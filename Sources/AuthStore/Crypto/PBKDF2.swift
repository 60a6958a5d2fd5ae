import CLibCrypto

/// PBKDF2-HMAC-SHA256 through OpenSSL's `PKCS5_PBKDF2_HMAC`.
public enum PBKDF2 {
    /// Derives `length` bytes. Blocking and deliberately slow: callers run it off the
    /// event loop.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        precondition(iterations > 0 && iterations <= Int(Int32.max), "PBKDF2 iterations out of range")
        var out = [UInt8](repeating: 0, count: length)
        let ok = password.withUnsafeBytes { pw in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    clibcrypto_pbkdf2_sha256(
                        pw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(pw.count),
                        s.baseAddress, Int32(s.count), Int32(iterations), o.baseAddress, Int32(length))
                }
            }
        }
        precondition(ok == 1, "OpenSSL PKCS5_PBKDF2_HMAC failed")
        return out
    }
}
