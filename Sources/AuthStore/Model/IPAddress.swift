import Foundation

/// Textual IP addresses: parsing, canonical text, and the one rule for which addresses
/// count as one client (throttling and the bound on refusal audit rows share it).
public enum IPAddress {
    /// The 4 or 16 bytes of a textual IPv4 or IPv6 address (`inet_pton`); nil when it is none.
    public static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// `::ffff:a.b.c.d` → `a.b.c.d`.
    public static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else {
            return bytes
        }
        return Array(bytes[12...])
    }

    /// The first `prefix` bits of `bytes`, the rest zero.
    public static func masked(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bitsHere = min(max(prefix - index * 8, 0), 8)
            return bitsHere == 8 ? byte : byte & ~(UInt8(0xff) >> bitsHere)
        }
    }

    /// One spelling per address: IPv4-mapped IPv6 as IPv4, IPv6 as `inet_ntop` writes it
    /// (lower case, zeros compressed), so `2001:DB8:0:0::1` and `2001:db8::1` are one
    /// address in the audit log and the counters. Text that is no address (`local` for the
    /// CLI) is kept as it is.
    public static func canonical(_ text: String) -> String {
        guard let bytes = bytes(text).map(unmapped) else { return text }
        return canonical(bytes)
    }

    /// The key under which one client's requests are counted together: an IPv4 address as
    /// itself, an IPv6 address by its /64 network (one client, a home or a phone, usually
    /// holds a whole /64 and can pick any address in it), in canonical text.
    public static func group(_ text: String) -> String {
        guard let bytes = bytes(text).map(unmapped) else { return text }
        if bytes.count == 4 { return canonical(bytes) }
        return canonical(masked(bytes, prefix: 64)) + "/64"
    }

    /// `inet_ntop`'s canonical text of 4 or 16 address bytes.
    static func canonical(_ bytes: [UInt8]) -> String {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let text = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return text.map { String(cString: $0) } ?? ""
    }
}
