import Foundation

/// An IPv4 or IPv6 network, e.g. `10.0.0.0/8` or `::1/128`, for `--trusted-proxy`.
public struct CIDR: Sendable, Equatable, CustomStringConvertible {
    /// Network address bytes (4 or 16).
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// Parses `address/prefix` or a bare address (a single host). `nil` when invalid.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress.bytes(String(parts[0])) else { return nil }
        let bits = address.count * 8
        let prefix: Int
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value) else { return nil }
            prefix = value
        } else {
            prefix = bits
        }
        self.network = IPAddress.masked(address, prefix: prefix)
        self.prefixLength = prefix
        self.description = text
    }

    /// Whether `address` (textual IP) lies inside this network. IPv4-mapped IPv6 addresses
    /// (`::ffff:10.0.0.1`) count as their IPv4 address.
    public func contains(_ address: String) -> Bool {
        guard let bytes = IPAddress.bytes(address).map(IPAddress.unmapped) else { return false }
        guard bytes.count == network.count else { return false }
        return IPAddress.masked(bytes, prefix: prefixLength) == network
    }
}

/// Textual IP addresses to bytes, through `inet_pton`.
enum IPAddress {
    static func bytes(_ text: String) -> [UInt8]? {
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
    static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else {
            return bytes
        }
        return Array(bytes[12...])
    }

    static func masked(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bitsHere = min(max(prefix - index * 8, 0), 8)
            return bitsHere == 8 ? byte : byte & ~(UInt8(0xff) >> bitsHere)
        }
    }
}
