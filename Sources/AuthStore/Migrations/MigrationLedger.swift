/// What a database records of its migrations, checked against the ones this binary embeds.
///
/// Plain code over values, shared by both engines' migrators: each reads its
/// `schema_migrations` rows its own way and hands them here. Two situations are refused
/// rather than guessed at: a migration this binary does not know (a newer authd wrote the
/// database, and an older one could corrupt it), and an applied migration whose text has
/// changed since (the schema is not the one the code expects).
package struct MigrationLedger: Sendable {
    /// One row of `schema_migrations`.
    package struct Entry: Sendable {
        package let version: Int
        package let name: String
        package let checksum: String
        package let appliedAt: Timestamp

        package init(version: Int, name: String, checksum: String, appliedAt: Timestamp) {
            self.version = version
            self.name = name
            self.checksum = checksum
            self.appliedAt = appliedAt
        }
    }

    package let migrations: [Migration]
    /// Applied entries by version.
    package let applied: [Int: Entry]

    /// - Throws: ``StoreError`` `.newerDatabase` or `.migrationChanged`.
    package init(migrations: [Migration], entries: [Entry]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        var applied: [Int: Entry] = [:]
        for entry in entries.sorted(by: { $0.version < $1.version }) {
            guard let migration = known[entry.version] else {
                throw StoreError(
                    .newerDatabase,
                    "database has migration \(entry.name), which this authd does not know: it was written by a newer version"
                )
            }
            guard migration.checksum == entry.checksum else {
                throw StoreError(
                    .migrationChanged,
                    "migration \(migration.name) differs from the one applied to this database (checksum mismatch)")
            }
            applied[entry.version] = entry
        }
        self.migrations = migrations
        self.applied = applied
    }

    /// Migrations not applied yet, in version order.
    package var pending: [Migration] {
        migrations.filter { applied[$0.version] == nil }
    }

    /// Every embedded migration with when it was applied (nil: pending).
    package var status: [MigrationStatus] {
        migrations.map { MigrationStatus(version: $0.version, name: $0.name, appliedAt: applied[$0.version]?.appliedAt) }
    }
}
