import AuthStore

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
