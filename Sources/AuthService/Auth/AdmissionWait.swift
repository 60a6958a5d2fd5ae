import AuthStore
import Synchronization

/// Lets an attempt wait for admission while the throttle limit is reached only by attempts
/// still being checked (``ThrottleAdmission/busy``).
///
/// Those attempts may succeed and clear the count (several correct logins at once), or
/// fail and block everything after them (a burst of guesses): either way the answer is
/// known once they are decided, so the attempt asks the store again until it is. It polls
/// the store rather than waiting for a signal, so that a decision made by another replica
/// is seen too. Waiting is bounded in time and in the number of attempts waiting at once;
/// past either bound the attempt is refused as throttled.
final class AdmissionWait: Sendable {
    /// Attempts of this process waiting at once; each polls the store.
    let maxWaiting: Int
    /// Each poll is a transaction on the single writer: a few per check's duration is
    /// enough, and many waiters must not crowd out real writes.
    let pollInterval: Duration
    /// Longest wait: longer than a check takes with the hashing queue full.
    let timeout: Duration
    private let waiting = Atomic<Int>(0)

    init(maxWaiting: Int, pollInterval: Duration = .milliseconds(50), timeout: Duration = .seconds(10)) {
        self.maxWaiting = maxWaiting
        self.pollInterval = pollInterval
        self.timeout = timeout
    }

    /// Calls `admit` until it answers other than `.busy`, or the wait is over (then `.busy`).
    func admit(_ admit: () async throws -> ThrottleAdmission) async throws -> ThrottleAdmission {
        let first = try await admit()
        guard first == .busy else { return first }
        let count = waiting.wrappingAdd(1, ordering: .relaxed).newValue
        defer { waiting.wrappingSubtract(1, ordering: .relaxed) }
        guard count <= maxWaiting else { return .busy }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: pollInterval)
            let next = try await admit()
            guard next == .busy else { return next }
        }
        return .busy
    }
}
