import CArgon2

/// libargon2, the reference implementation, for imported argon2i/argon2id PHC strings.
enum Argon2 {
    enum Variant: Sendable {
        case argon2i, argon2id
    }

    /// Whether `password` matches the encoded hash. `argon2_verify` decodes the string,
    /// recomputes and compares in constant time. Blocking, and allocates the hash's
    /// memory parameter (bounded at import, ``Argon2Hash/maxMemoryKiB``).
    static func matches(_ password: [UInt8], encoded: String, variant: Variant) -> Bool {
        let type: argon2_type = variant == .argon2id ? Argon2_id : Argon2_i
        let result = encoded.withCString { encoded in
            password.withUnsafeBytes { bytes in
                argon2_verify(encoded, bytes.baseAddress, bytes.count, type)
            }
        }
        return result == ARGON2_OK.rawValue
    }
}
