import CLibCrypto

/// Comparison whose duration does not depend on where two secrets differ.
public enum ConstantTime {
    /// `true` when `a` and `b` are equal; lengths are not secret here (they are fixed).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 }
        }
    }
}
