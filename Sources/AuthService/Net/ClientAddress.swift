import AuthStore
import Foundation

/// Decides which address a request came from, for the audit log and throttling.
///
/// The socket peer, unless that peer is a trusted proxy: then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy. Entries left of it could be
/// written by the client and are ignored. The answer is in canonical text
/// (``IPAddress/canonical(_:)``), so one address is never two counters.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) {
        self.trustedProxies = trustedProxies
    }

    public func resolve(peer: String, forwardedFor: [String]) -> String {
        IPAddress.canonical(resolveText(peer: peer, forwardedFor: forwardedFor))
    }

    /// The first `X-Forwarded-For` hop, from the right, that is not an IP address, when the
    /// peer is a trusted proxy: the resolver stops there and answers with the proxy's own
    /// address, which puts every client behind that proxy on one counter, so the server
    /// logs it as a misconfigured proxy.
    public func invalidHop(peer: String, forwardedFor: [String]) -> String? {
        guard isTrusted(peer) else { return nil }
        for hop in hops(forwardedFor).reversed() {
            guard IPAddress.bytes(hop) != nil else { return hop }
            if !isTrusted(hop) { return nil }
        }
        return nil
    }

    private func resolveText(peer: String, forwardedFor: [String]) -> String {
        guard isTrusted(peer) else { return peer }
        let hops = hops(forwardedFor)
        for hop in hops.reversed() {
            guard IPAddress.bytes(hop) != nil else { return peer }
            if !isTrusted(hop) { return hop }
        }
        return hops.first.flatMap { IPAddress.bytes($0) != nil ? $0 : nil } ?? peer
    }

    private func hops(_ forwardedFor: [String]) -> [String] {
        forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
