/// Why a store operation failed.
///
/// A struct over a code rather than an enum, so codes can be added without breaking
/// callers that switch over them. `description` is a one-line message fit for the CLI; the
/// HTTP layer never shows it to clients.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let userExists = Code("userExists")
        public static let userNotFound = Code("userNotFound")
        public static let sessionNotFound = Code("sessionNotFound")
        public static let invalidInput = Code("invalidInput")
        /// The database records a migration this binary does not know.
        public static let newerDatabase = Code("newerDatabase")
        /// An applied migration's checksum differs from the embedded file.
        public static let migrationChanged = Code("migrationChanged")
        /// The database file does not exist, and the store was opened without creating it.
        public static let missingDatabase = Code("missingDatabase")
        /// A write on a store opened read-only.
        public static let readOnly = Code("readOnly")
        /// The audit log's oldest rows were removed without a recorded prune (`audit prune`
        /// refuses to continue from such an anchor).
        public static let auditTruncated = Code("auditTruncated")
        /// A migration would leave the database inconsistent (a dangling foreign key); it was
        /// rolled back.
        public static let migrationFailed = Code("migrationFailed")
        /// The database, its `-wal` or `-shm` is readable or writable by group or others, and
        /// this process cannot change that (it does not own the file).
        public static let unsafePermissions = Code("unsafePermissions")
        /// SQLite failed: I/O, corruption, not a database, locked…
        public static let database = Code("database")
    }

    public let code: Code
    public let description: String
    /// The SQLite failure behind a `.database` error, for the server log.
    public let underlying: SQLiteError?

    public init(_ code: Code, _ description: String, underlying: SQLiteError? = nil) {
        self.code = code
        self.description = description
        self.underlying = underlying
    }

    /// Wraps any error thrown below the store's surface.
    static func wrap(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? SQLiteError {
            return StoreError(.database, "database \(path): \(error.message)", underlying: error)
        }
        return StoreError(.database, "database \(path): \(error)")
    }
}
