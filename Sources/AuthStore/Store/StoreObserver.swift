/// Hooks through which the server watches the store (its metrics), so AuthStore itself
/// depends on no metrics library and a PostgreSQL store can report the same things.
public struct StoreObserver: Sendable {
    /// Called on the writer's queue after each write transaction commits, with the number
    /// of writes it grouped and the time from `BEGIN` to the end of `COMMIT` (the fsync).
    /// Must be quick: the next batch waits for it.
    public var batchCommitted: @Sendable (_ writes: Int, _ duration: Duration) -> Void
    /// Called with the database pages a committed batch wrote (SQLite: frames appended to
    /// the WAL, each a page plus a 24-byte header). What a write costs the disk, per write:
    /// divide by the writes of the batch. PostgreSQL does not report it.
    public var pagesWritten: @Sendable (_ pages: Int) -> Void

    public init(
        batchCommitted: @escaping @Sendable (_ writes: Int, _ duration: Duration) -> Void,
        pagesWritten: @escaping @Sendable (_ pages: Int) -> Void = { _ in }
    ) {
        self.batchCommitted = batchCommitted
        self.pagesWritten = pagesWritten
    }

    /// Observes nothing (the admin commands).
    public static let none = StoreObserver(batchCommitted: { _, _ in })
}

/// What `/metrics` reports about the data, read cheaply when it is scraped.
public struct StoreStatistics: Sendable, Equatable {
    /// Session rows, including expired ones the sweeper has not deleted yet.
    public let sessions: Int
    /// Size of the database file in bytes (pages in use times page size; the WAL aside).
    public let databaseBytes: Int

    public init(sessions: Int, databaseBytes: Int) {
        self.sessions = sessions
        self.databaseBytes = databaseBytes
    }
}
