import CXCrypt

/// libxcrypt's `crypt_rn`: the one implementation of bcrypt, sha-crypt and yescrypt that
/// /etc/shadow and htpasswd files were written with.
enum Crypt {
    /// Whether `password` hashed with the setting in `stored` gives `stored`, compared in
    /// constant time. Blocking and slow by design.
    ///
    /// The C interface ends a password at its first NUL byte, so a password holding one
    /// would be checked as its prefix: it never matches (the work is spent all the same).
    static func matches(_ password: [UInt8], stored: String) -> Bool {
        let hasNUL = password.contains(0)
        guard let computed = hash(password.prefix { $0 != 0 }, setting: stored) else { return false }
        return ConstantTime.equal(computed, Array(stored.utf8)) && !hasNUL
    }

    /// The full hash string `crypt_rn` computes, or `nil` when it refuses the setting.
    private static func hash<Bytes: Collection<UInt8>>(_ password: Bytes, setting: String) -> [UInt8]? {
        var phrase = [CChar](password.map { CChar(bitPattern: $0) })
        phrase.append(0)
        defer { for index in phrase.indices { phrase[index] = 0 } }
        // CRYPT_OUTPUT_SIZE is 384 in libxcrypt.
        var out = [CChar](repeating: 0, count: 384)
        let ok = setting.withCString { setting in
            cxcrypt_hash(phrase, setting, &out, out.count)
        }
        guard ok == 1 else { return nil }
        return out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    }
}
