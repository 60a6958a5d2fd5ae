import Dispatch
import Testing

@testable import AuthService

@Suite struct HashingPoolTests {
    @Test func fullQueueIsRefusedInsteadOfQueued() async throws {
        let pool = HashingPool(threads: 1, maxQueued: 0)
        let release = DispatchSemaphore(value: 0)
        // Occupy the only thread and wait until the job is really running.
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let blocker = Task {
            try await pool.run {
                startedContinuation.yield()
                release.wait()
                return 1
            }
        }
        for await _ in started { break }
        await #expect(throws: HashingPool.Overloaded.self) { try await pool.run { 2 } }
        release.signal()
        #expect(try await blocker.value == 1)
        #expect(try await pool.run { 3 } == 3)
        await pool.shutdown()
    }
}
