import Foundation
import Testing

/// The shipped systemd unit (`deploy/systemd/authd.service`).
@Suite struct SystemdUnitTests {
    static let unit = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "deploy/systemd/authd.service")

    /// Trusting a proxy on 127.0.0.1 would let any local user claim any client address in
    /// `X-Forwarded-For`: the unit trusts none until the operator names the proxy.
    @Test func trustsNoProxyByDefault() throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        let active = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(active.contains { $0.hasPrefix("ExecStart=") })
        #expect(!active.contains { $0.contains("TRUSTED_PROXY") || $0.contains("trusted-proxy") }, "\(text)")
    }
}
