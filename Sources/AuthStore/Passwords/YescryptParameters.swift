/// The cost fields of a yescrypt setting (`j9T` in `$y$j9T$salt$hash`), decoded as
/// libxcrypt encodes them: flavour, log2 N, r, then optional flags and p, t.
///
/// Needed only to enforce the memory limit and to compare costs; libxcrypt itself checks
/// the hash.
struct YescryptParameters: Equatable {
    let n: Int
    let r: Int
    let p: Int
    let t: Int

    private static let alphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    init(n: Int, r: Int, p: Int, t: Int) {
        (self.n, self.r, self.p, self.t) = (n, r, p, t)
    }

    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        guard let flavour = Self.decode(&bytes, min: 0), flavour < 64,  // YESCRYPT_RW flavours only
            let log2N = Self.decode(&bytes, min: 1), log2N <= 40,
            let r = Self.decode(&bytes, min: 1), r <= 1 << 20
        else { return nil }
        var p = 1
        var t = 0
        if !bytes.isEmpty {
            guard let have = Self.decode(&bytes, min: 1), have & ~0x3 == 0 else { return nil }
            if have & 1 != 0 {
                guard let value = Self.decode(&bytes, min: 2) else { return nil }
                p = value
            }
            if have & 2 != 0 {
                guard let value = Self.decode(&bytes, min: 1) else { return nil }
                t = value
            }
        }
        guard bytes.isEmpty else { return nil }
        (self.n, self.r, self.p, self.t) = (1 << log2N, r, p, t)
    }

    /// yescrypt's variable-length integer: the first character's range says how many
    /// 6-bit characters follow.
    private static func decode(_ bytes: inout ArraySlice<UInt8>, min: Int) -> Int? {
        guard let first = bytes.popFirst(), let c = alphabet.firstIndex(of: first) else { return nil }
        var (start, end, chars, bits, base) = (0, 47, 1, 0, 0)
        while c > end {
            base += (end + 1 - start) << bits
            start = end + 1
            end = start + (62 - end) / 2
            chars += 1
            bits += 6
            guard start <= 63 else { return nil }
        }
        var value = (c - start) << bits
        while chars > 1 {
            chars -= 1
            bits -= 6
            guard let next = bytes.popFirst(), let d = alphabet.firstIndex(of: next) else { return nil }
            value |= d << bits
        }
        return value + base + min
    }
}
