import Foundation

/// Decides which address a request came from, for the audit log and throttling.
///
/// The socket peer, unless that peer is a trusted proxy: then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy. Entries left of it could be
/// written by the client and are ignored.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) {
        self.trustedProxies = trustedProxies
    }

    public func resolve(peer: String, forwardedFor: [String]) -> String {
        guard isTrusted(peer) else { return peer }
        let hops =
            forwardedFor
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard IPAddress.bytes(hop) != nil else { return peer }
            if !isTrusted(hop) { return hop }
        }
        return hops.first.flatMap { IPAddress.bytes($0) != nil ? $0 : nil } ?? peer
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
