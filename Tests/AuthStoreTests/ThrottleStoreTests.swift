import Foundation
import Testing

@testable import AuthStore

@Suite struct ThrottleStoreTests {
    let policy = ThrottlePolicy(perUserAndAddress: 3, perAddress: 10, window: .seconds(300))
    let t0 = Timestamp(seconds: 1_800_000_000)

    @Test func blockSurvivesARestartAndExpiresWithTheWindow() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "authd-throttle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "authd.sqlite").path
        let context = AuditContext(address: "192.0.2.1")

        let first = try SQLiteAuthStore.open(path: path)
        for second in 0..<3 {
            try await first.recordLoginFailure(
                .failure(.login, .badPassword, username: "eve", context: context),
                at: t0 + .seconds(Int64(second)))
        }
        await first.close()

        let reopened = try SQLiteAuthStore.open(path: path)
        #expect(
            try await reopened.throttleDecision(
                username: "eve", address: "192.0.2.1", policy: policy, at: t0 + .seconds(10))
                == .blocked(retryAfterSeconds: 290))
        #expect(
            try await reopened.throttleDecision(
                username: "eve", address: "192.0.2.9", policy: policy, at: t0 + .seconds(10))
                == .allowed)
        #expect(
            try await reopened.throttleDecision(
                username: "eve", address: "192.0.2.1", policy: policy, at: t0 + .seconds(300))
                == .allowed)
        // Old counters are deleted, so the table stays bounded.
        #expect(try await reopened.deleteExpiredFailures(policy: policy, at: t0 + .seconds(302)) == 3)
        #expect(try await reopened.throttleEntries(policy: policy, at: t0 + .seconds(10)).isEmpty)
        await reopened.close()
    }
}
