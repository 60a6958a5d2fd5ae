import ArgumentParser
import AuthStore

extension UserCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List users, with each one's password hash scheme (imported ones until their first login).")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let users = try await withStore(database, .read, lookup: try database.lookup()) { try await $0.users() }
            let rows = users.map {
                [
                    $0.name, $0.disabled ? "disabled" : "enabled", $0.createdAt.iso8601, $0.updatedAt.iso8601,
                    $0.passwordScheme,
                ]
            }
            print(
                format.render(columns: ["username", "status", "created_at", "updated_at", "scheme"], rows: rows),
                terminator: "")
        }
    }
}
