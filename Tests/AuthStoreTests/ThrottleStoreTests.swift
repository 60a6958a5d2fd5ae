import Foundation
import Testing

@testable import AuthStore

@Suite struct ThrottleStoreTests {
    let policy = ThrottlePolicy(perUserAndAddress: 3, perAddress: 10, window: .seconds(300))
    let t0 = Timestamp(seconds: 1_800_000_000)

    func admit(_ store: any AuthStorage, _ user: String = "eve", from address: String = "192.0.2.1", at second: Int64)
        async throws -> ThrottleAdmission
    {
        try await store.admitAttempt(username: user, address: address, policy: policy, at: t0 + .seconds(second))
    }

    func slot(_ admission: ThrottleAdmission) throws -> AttemptReservation {
        guard case .admitted(let reservation) = admission else { throw StoreError(.database, "not admitted") }
        return reservation
    }

    func fail(_ store: any AuthStorage, _ reservation: AttemptReservation, at second: Int64) async throws {
        try await store.recordLoginFailure(
            .failure(.login, .badPassword, username: "eve", context: AuditContext(address: "192.0.2.1")),
            reservation: reservation, at: t0 + .seconds(second))
    }

    @Test func admittedAttemptsHoldTheirSlotUntilDecidedAndTheBlockSurvivesARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "authd-throttle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "authd.sqlite").path

        let first = try SQLiteAuthStore.open(path: path)
        var slots: [AttemptReservation] = []
        for second in 0..<3 { slots.append(try slot(try await admit(first, at: Int64(second)))) }
        // The limit is held by attempts still being checked: wait for them, not 429.
        #expect(try await admit(first, at: 3) == .busy)
        for (second, reservation) in slots.enumerated() { try await fail(first, reservation, at: Int64(second)) }
        #expect(try await admit(first, at: 3) == .blocked(retryAfterSeconds: 297))
        await first.close()

        let reopened = try SQLiteAuthStore.open(path: path)
        #expect(try await admit(reopened, at: 10) == .blocked(retryAfterSeconds: 290))
        _ = try slot(try await admit(reopened, from: "192.0.2.9", at: 10))
        // The window slides past the oldest failure.
        _ = try slot(try await admit(reopened, at: 300))
        // Old counters are deleted, so the table stays bounded.
        #expect(try await reopened.deleteExpiredFailures(policy: policy, at: t0 + .seconds(303)) == 3)
        #expect(try await reopened.throttleEntries(policy: policy, at: t0 + .seconds(303)).map(\.failures) == [1, 1])
        await reopened.close()
    }

    @Test(arguments: Engine.all) func aReleasedAttemptGivesItsSlotBack(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            var slots: [AttemptReservation] = []
            for second in 0..<3 { slots.append(try slot(try await admit(store, at: Int64(second)))) }
            #expect(try await admit(store, at: 4) == .busy)
            try await store.releaseAttempt(slots[1])
            _ = try slot(try await admit(store, at: 5))
        }
    }

    /// A pending slot older than any check belongs to a server that died mid-check: it
    /// counts as a failure instead of keeping every later attempt waiting.
    @Test(arguments: Engine.all) func aStalePendingSlotCountsAsAFailure(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            for second in 0..<3 { _ = try slot(try await admit(store, at: Int64(second))) }
            #expect(try await admit(store, at: 59) == .busy)
            #expect(try await admit(store, at: 62) == .blocked(retryAfterSeconds: 238))
        }
    }

    /// A success clears the pair's count, slots of attempts in flight included; a failure
    /// decided after that still counts.
    @Test(arguments: Engine.all) func aFailureDecidedAfterASuccessStillCounts(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let late = try slot(try await admit(store, at: 0))
            #expect(try await store.clearThrottle(username: "eve", address: nil, at: t0, context: .commandLine) == 1)
            try await fail(store, late, at: 1)
            #expect(try await store.throttleEntries(policy: policy, at: t0 + .seconds(2)).map(\.failures) == [1])
        }
    }

    @Test(arguments: Engine.all) func concurrentAdmissionsNeverPassTheLimit(engine: Engine) async throws {
        try await withStore(engine) { store, _ in
            let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    // Different usernames: only the per-address limit (10) applies.
                    group.addTask {
                        if case .admitted = try await admit(store, "user\(index % 20)", at: 1) { return true }
                        return false
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(admitted == policy.perAddress)
        }
    }
}
