/// One numbered schema change from `migrations/NNNN_name.sql`, embedded at build time.
public struct Migration: Sendable, Equatable {
    /// The number before the first underscore of the file name.
    public let version: Int
    /// The file name, e.g. `0001_initial.sql`.
    public let name: String
    public let sql: String
    /// Hex SHA-256 of the file's bytes; an applied migration must keep it.
    public let checksum: String

    package init?(fileName: String, sql: String) {
        guard let prefix = fileName.split(separator: "_").first, let version = Int(prefix), version > 0 else {
            return nil
        }
        self.version = version
        self.name = fileName
        self.sql = sql
        self.checksum = SHA256.hex(Array(sql.utf8))
    }
}

/// Namespace the build plugin extends with `files`: the embedded `migrations/*.sql`.
enum EmbeddedMigrations {
    /// The embedded migrations, ordered by version.
    static var all: [Migration] {
        files.compactMap { Migration(fileName: $0.name, sql: $0.sql) }.sorted { $0.version < $1.version }
    }
}
