import AuthStore
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@testable import AuthService

/// Anonymous traffic cannot write without bound: thousands of refused requests at full
/// speed, over many connections to a live server, write a small fraction of rows, and the
/// counts in the log add up exactly to the requests sent once the server has stopped.
@Suite(.timeLimit(.minutes(3))) struct BoundedRefusalAuditTests {
    /// Requests of each kind.
    static let perKind = 2_500

    @Test(arguments: [false, true])
    func refusalsAreSummedAndTheSumsAddUp(manyAddresses: Bool) async throws {
        var app = try await TestApp()
        // One window for the whole test, so the bound is exact; the sums are written at shutdown.
        app.configuration.refusalAudit = RefusalAuditPolicy(window: .seconds(3600), perAddress: 3, overall: 20)
        app.configuration.trustedProxies = [try #require(CIDR("127.0.0.1"))]
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await Self.send(port: port, manyAddresses: manyAddresses)
        } afterShutdown: { store in
            let rows = try await store.queryAudit(AuditQuery(events: [.verify], limit: 10_000))
            let sent = 2 * Self.perKind
            #expect(rows.count * 100 <= sent, "\(rows.count) rows for \(sent) requests")
            for reason in [AuditReason.badToken, .malformed] {
                let counted = rows.filter { $0.entry.reason == reason }.map(\.entry.count).reduce(0, +)
                #expect(counted == Self.perKind, "\(reason): \(counted)")
            }
            // Rows of their own carry their request's id; sums belong to no one request.
            let own = rows.filter { !$0.entry.context.requestID.isEmpty }
            #expect(own.count == 2 * (manyAddresses ? 20 : 3))
            #expect(rows.count - own.count == 2)
            #expect(try await store.verifyAuditChain { _, _ in }.isIntact)
        }
    }

    /// Half unknown bearer tokens, half without `Authorization`, 16 connections at once.
    static func send(port: Int, manyAddresses: Bool) async throws {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 16
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in stride(from: worker, to: 2 * perKind, by: 16) {
                        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/directlink/v1/auth/verify")!)
                        if index % 2 == 0 { request.setValue("Bearer unknown-\(index)", forHTTPHeaderField: "Authorization") }
                        let address = manyAddresses ? "198.51.\(index / 250 % 250).\(index % 250)" : "192.0.2.7"
                        request.setValue(address, forHTTPHeaderField: "X-Forwarded-For")
                        let (_, response) = try await session.data(for: request)
                        #expect((response as? HTTPURLResponse)?.statusCode == 401)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
