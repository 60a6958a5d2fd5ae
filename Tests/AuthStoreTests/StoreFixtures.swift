@testable import AuthStore

/// Shared values for the store tests. Times are explicit so that expiry is tested without
/// waiting.
enum Fixture {
    /// 2025-06-15T15:06:40Z, an arbitrary fixed "now".
    static let t0 = Timestamp(seconds: 1_750_000_000)
    static let context = AuditContext(address: "203.0.113.7", userAgent: "tests/1.0", requestID: "req-42")
    /// The store does not look inside password hashes; any PHC-shaped text will do.
    static let hashA = "$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
    static let hashB = "$pbkdf2-sha256$i=1000$YnJpbmVicmluZWJyaW5lYg$YW5vdGhlcmFub3RoZXJhbm90aGVyYW5vdGhlcmFub3Q"

    /// The SHA-256 a real login would store for bearer token `name`.
    static func tokenHash(_ name: String) -> [UInt8] {
        SHA256.digest(Array("token:\(name)".utf8))
    }
}

/// Opens a SQLite store on a new file in a new temporary directory, runs `body`, then
/// closes the store and removes the directory. For tests of what only SQLite has; behaviour
/// tests take an ``Engine`` and use ``withStore(_:_:)``.
func withStore<T>(_ body: (SQLiteAuthStore, TemporaryDirectory) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
        return try await closing(store) { try await body(store, directory) }
    }
}

/// Failed-login audit rows, one per second from `base` + `first` seconds: on an empty log,
/// rows `first + 1`…`first + count`.
func seedAuditRows(_ store: any AuthStorage, _ count: Int, from first: Int = 0, base: Timestamp) async throws {
    for index in first..<(first + count) {
        try await store.recordAudit(
            .failure(.login, .badPassword, username: "u\(index)", context: Fixture.context),
            at: base + .seconds(Int64(index)))
    }
}

/// Moves audit row `id` of `store` back by a minute and recomputes every hash, as someone
/// rewriting the log would: the chain stays intact, the time order does not.
func moveAuditRowBackAndRechain(_ store: any AuthStorage, _ engine: Engine, row id: Int64) async throws {
    try await store.tamper("UPDATE audit_log SET time = time - 60000000 WHERE id = \(id)")
    var previous = AuditChain.genesis
    for record in try await store.allAudit() {
        let hash = AuditChain.hash(previous: previous, id: record.id, time: record.time, entry: record.entry)
        try await store.tamper("UPDATE audit_log SET hash = \(engine.blobLiteral(hash)) WHERE id = \(record.id)")
        previous = hash
    }
}

/// Moves audit row `id` of the store in `directory` back by a minute and recomputes every
/// hash, as someone rewriting the log would: the chain stays intact, the time order does not.
func moveAuditRowBackAndRechain(_ directory: TemporaryDirectory, row id: Int) throws {
    let connection = try SQLiteConnection(path: directory.file("auth.db"))
    defer { connection.close() }
    try connection.run("UPDATE audit_log SET time = time - 60000000 WHERE id = ?", id)
    let rows = try connection.query(
        "SELECT \(SQLiteAuthStore.auditColumns) FROM audit_log ORDER BY id", [], SQLiteAuthStore.auditRecord(from:))
    var previous = AuditChain.genesis
    for record in rows {
        let hash = AuditChain.hash(previous: previous, id: record.id, time: record.time, entry: record.entry)
        try connection.run("UPDATE audit_log SET hash = ? WHERE id = ?", hash, record.id)
        previous = hash
    }
}

/// The `StoreError` code `body` throws, or `nil` when it throws something else or nothing.
func storeErrorCode(_ body: () async throws -> Void) async -> StoreError.Code? {
    do {
        try await body()
        return nil
    } catch let error as StoreError {
        return error.code
    } catch {
        return nil
    }
}
