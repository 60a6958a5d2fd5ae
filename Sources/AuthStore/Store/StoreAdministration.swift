/// Health, statistics, schema and lifecycle of a store.
public protocol StoreAdministration: Sendable {
    /// Session count and database size, for `/metrics` (a count over the sessions table:
    /// fine once per scrape, not per request).
    func statistics() async throws -> StoreStatistics
    /// A cheap query proving the database answers.
    /// - Returns: the schema version (the newest applied migration), for `/healthz`.
    func ping() async throws -> Int
    /// Whether writes are getting through: a database that answers `ping` can still fail
    /// every commit (a full disk). Returns at once, without queueing behind the writes.
    func writerHealth() -> WriterHealth
    /// The newest migration this binary knows. A running server that finds the database's
    /// schema newer than this (another replica was upgraded and migrated) answers `/healthz`
    /// with 503, so a load balancer drains it during a rolling upgrade.
    var knownSchemaVersion: Int { get }
    /// Applied and pending migrations.
    func migrationStatus() async throws -> [MigrationStatus]
    /// Where the data lives, fit to print: the file path, or a PostgreSQL URL without its
    /// password.
    var location: String { get }
    /// Applies pending migrations (`authd migrate up`); the store must have been opened
    /// read-write without migrating for there to be any.
    /// - Returns: the migrations applied now, in order; empty when the schema was current.
    func migrate() async throws -> [MigrationStatus]
    /// A consistent copy of the live database at `destination` (which must not exist).
    func backup(to destination: String) async throws
    /// Finishes queued writes and closes the database.
    func close() async
}
