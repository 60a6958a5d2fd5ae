import Testing

/// Polls `condition` until it holds (a bounded wait: 10 s). For states another process
/// reaches (a PostgreSQL backend blocked on a lock), which nothing can notify a test of.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<1000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("the condition did not hold within 10 s")
    throw CancellationError()
}
