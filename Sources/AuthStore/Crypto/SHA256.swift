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

    /// A digest held inline instead of in an array, so that a loop over millions of digests
    /// compares and keeps them without allocating.
    struct Digest {
        fileprivate var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        /// Calls `body` with the digest's 32 bytes.
        func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            Swift.withUnsafeBytes(of: words, body)
        }

        var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

        /// Whether `other` holds exactly this digest. Not constant-time: for digests that are
        /// public anyway (the audit chain's row hashes), compared four words at a time.
        func matches(_ other: UnsafeRawBufferPointer) -> Bool {
            guard other.count == 32 else { return false }
            return words.0 == other.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
                && words.1 == other.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                && words.2 == other.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
                && words.3 == other.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        }
    }

    /// SHA-256 on one OpenSSL context reused for every message.
    ///
    /// For hashing millions of short messages on one thread (`audit verify` hashes every row
    /// of the log): the one-shot ``digest(_:)`` allocates a context and looks the digest up
    /// in OpenSSL's provider tables each time, which for a row of a few hundred bytes cost
    /// more than the hashing. Not thread-safe: one hasher serves one walk at a time.
    final class Hasher {
        private let context: OpaquePointer

        init() {
            // Fails only when OpenSSL cannot allocate; nothing sane follows.
            guard let context = clibcrypto_sha256_context_new() else { fatalError("OpenSSL SHA-256 context failed") }
            self.context = context
        }

        deinit {
            EVP_MD_CTX_free(context)
        }

        func digest(_ input: UnsafeRawBufferPointer) -> Digest {
            var digest = Digest()
            let ok = Swift.withUnsafeMutableBytes(of: &digest.words) { output in
                clibcrypto_sha256_reusing(
                    context, input.baseAddress, input.count, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            precondition(ok == 1, "OpenSSL SHA-256 failed")
            return digest
        }
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
