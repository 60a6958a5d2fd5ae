import CLibCrypto

/// Random bytes from OpenSSL's CSPRNG (`RAND_bytes`), for salts, tokens and session ids.
public enum SecureRandom {
    /// `count` bytes from the CSPRNG.
    ///
    /// `RAND_bytes` fails only when the generator cannot be seeded; handing out a
    /// predictable token or salt would be worse than stopping, so that is a crash.
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "OpenSSL RAND_bytes failed: the CSPRNG is not seeded")
        return out
    }
}
