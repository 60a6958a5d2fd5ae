import Testing

@testable import AuthService

@Suite struct ClientAddressTests {
    @Test func cidrMatching() throws {
        let v4 = try #require(CIDR("10.0.0.0/8"))
        #expect(v4.contains("10.1.2.3"))
        #expect(!v4.contains("11.0.0.1"))
        #expect(v4.contains("::ffff:10.9.9.9"))
        let v6 = try #require(CIDR("fd00::/8"))
        #expect(v6.contains("fd12::1"))
        #expect(!v6.contains("10.0.0.1"))
        let host = try #require(CIDR("127.0.0.1"))
        #expect(host.contains("127.0.0.1"))
        #expect(!host.contains("127.0.0.2"))
        #expect(CIDR("10.0.0.0/33") == nil)
        #expect(CIDR("nonsense") == nil)
        #expect(CIDR("10.0.0.0/x") == nil)
    }

    @Test func untrustedPeerIsTheClient() throws {
        let resolver = ClientAddressResolver(trustedProxies: [try #require(CIDR("127.0.0.1/32"))])
        #expect(resolver.resolve(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"]) == "203.0.113.9")
    }

    @Test func trustedPeerYieldsRightmostUntrustedHop() throws {
        let resolver = ClientAddressResolver(trustedProxies: [
            try #require(CIDR("127.0.0.1/32")), try #require(CIDR("10.0.0.0/8")),
        ])
        #expect(
            resolver.resolve(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.7, 10.0.0.2"]) == "198.51.100.7")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: ["6.6.6.6", "198.51.100.7"]) == "198.51.100.7")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: ["garbage"]) == "127.0.0.1")
    }

    /// One address, one spelling: the audit log and the counters never see two forms.
    @Test func theResolvedAddressIsCanonical() throws {
        let resolver = ClientAddressResolver(trustedProxies: [try #require(CIDR("127.0.0.1/32"))])
        for spelling in ["2001:DB8:1:2::1", "2001:db8:1:2:0:0:0:1", "2001:0db8:0001:0002::0001"] {
            #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: [spelling]) == "2001:db8:1:2::1")
            #expect(resolver.resolve(peer: spelling, forwardedFor: []) == "2001:db8:1:2::1")
        }
        #expect(resolver.resolve(peer: "::ffff:203.0.113.9", forwardedFor: []) == "203.0.113.9")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: ["::ffff:203.0.113.9"]) == "203.0.113.9")
    }

    @Test func anInvalidHopFromATrustedProxyIsReported() throws {
        let resolver = ClientAddressResolver(trustedProxies: [try #require(CIDR("127.0.0.1/32"))])
        #expect(resolver.invalidHop(peer: "127.0.0.1", forwardedFor: ["198.51.100.7, unknown"]) == "unknown")
        #expect(resolver.invalidHop(peer: "127.0.0.1", forwardedFor: ["garbage, 198.51.100.7"]) == nil)
        #expect(resolver.invalidHop(peer: "203.0.113.9", forwardedFor: ["garbage"]) == nil, "not a proxy of ours")
    }
}
