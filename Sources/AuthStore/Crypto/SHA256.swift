import CLibCrypto

/// SHA-256 through OpenSSL, used for token hashes, migration checksums and the audit chain.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { clibcrypto_sha256(input.baseAddress, input.count, $0.baseAddress) }
        }
        // EVP_Digest with SHA-256 fails only when OpenSSL cannot allocate; nothing sane follows.
        precondition(ok == 1, "OpenSSL SHA-256 failed")
        return out
    }

    /// The digest as lowercase hex.
    public static func hex(_ bytes: [UInt8]) -> String {
        Hex.encode(digest(bytes))
    }
}

/// Lowercase hexadecimal.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
