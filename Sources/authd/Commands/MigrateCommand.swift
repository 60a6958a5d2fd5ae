import ArgumentParser
import AuthStore

/// `authd migrate status|up`: which embedded migrations the database has, and applying them.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Inspect and apply schema migrations.", subcommands: [Status.self, Up.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List applied and pending migrations (read-only; `migrate up` applies them).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let status = try await withStore(database, .inspect, lookup: try database.lookup()) {
                try await $0.migrationStatus()
            }
            let rows = status.map {
                [String($0.version), $0.name, $0.isApplied ? "applied" : "pending", $0.appliedAt?.iso8601 ?? ""]
            }
            print(
                OutputFormat.table.render(columns: ["version", "name", "status", "applied_at"], rows: rows),
                terminator: "")
        }
    }

    /// The explicit way to bring a database up to date, so read-only commands have one to
    /// name; `serve` and every command that changes data do the same first.
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations, creating the database if it does not exist.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let lookup = try database.lookup()
            let store = try await database.open(.create, migrate: false, lookup: lookup)
            let applied: [MigrationStatus]
            do {
                applied = try await store.migrate()
                await store.close()
            } catch {
                await store.close()
                throw error
            }
            for migration in applied {
                print("applied \(migration.version) \(migration.name)")
            }
            print("database \(store.location) is up to date")
        }
    }
}
