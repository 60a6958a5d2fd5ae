import ArgumentParser
import AuthStore

/// `authd migrate status`: which embedded migrations the database has.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Inspect schema migrations.", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List applied and pending migrations (without applying them; any other command applies them).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let status = try await withStore(database, migrate: false) { try await $0.migrationStatus() }
            let rows = status.map {
                [String($0.version), $0.name, $0.isApplied ? "applied" : "pending", $0.appliedAt?.iso8601 ?? ""]
            }
            print(
                OutputFormat.table.render(columns: ["version", "name", "status", "applied_at"], rows: rows),
                terminator: "")
        }
    }
}
