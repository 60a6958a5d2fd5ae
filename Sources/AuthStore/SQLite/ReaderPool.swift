import Dispatch
import Synchronization

/// Read-only connections, each on its own serial queue, handed out round-robin.
///
/// WAL lets these read while the writer commits; `query_only` makes a stray write an error.
final class ReaderPool: @unchecked Sendable {
    // @unchecked: each connection is touched only on its own queue.
    private let readers: [(connection: SQLiteConnection, queue: DispatchQueue)]
    private let next = Atomic<Int>(0)

    init(path: String, count: Int) throws(SQLiteError) {
        var readers: [(SQLiteConnection, DispatchQueue)] = []
        for index in 0..<max(1, count) {
            readers.append(
                (try SQLiteConnection(path: path, readOnly: true), DispatchQueue(label: "authd.sqlite.reader.\(index)"))
            )
        }
        self.readers = readers
    }

    /// Runs `body` on a reader connection.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let index = (next.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max) % readers.count
        return try await withCheckedThrowingContinuation { continuation in
            readers[index].queue.async {
                continuation.resume(with: Result { try body(self.readers[index].connection) })
            }
        }
    }

    func close() {
        for (connection, queue) in readers {
            queue.sync { connection.close() }
        }
    }
}
