import ArgumentParser
import AuthStore

/// `authd session …`: see and end sessions.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "List and revoke sessions.",
        subcommands: [List.self, Revoke.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open sessions, newest first.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this user's sessions.")
        var user: String?
        @Option(help: "table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let sessions = try await withStore(database, .read, lookup: try database.lookup()) {
                try await $0.sessions(username: user)
            }
            let rows = sessions.map {
                [
                    $0.id, $0.username, $0.createdAt.iso8601, $0.expiresAt.iso8601, $0.lastSeenAt.iso8601, $0.address,
                    $0.userAgent,
                ]
            }
            let columns = ["id", "username", "created_at", "expires_at", "last_seen_at", "address", "user_agent"]
            print(format.render(columns: columns, rows: rows), terminator: "")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End one session (--id) or all of a user's (--user).")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "End every session of this user.")
        var user: String?
        @Option(help: "End the session with this id.")
        var id: String?

        func validate() throws {
            guard (user == nil) != (id == nil) else { throw ValidationError("give exactly one of --user or --id") }
        }

        func run() async throws {
            let lookup = try database.lookup()
            if let id {
                try await withStore(database, .change, lookup: lookup) {
                    try await $0.revokeSession(id: id, at: .now(), context: .commandLine)
                }
                print("revoked session \(id)")
            } else if let user {
                let count = try await withStore(database, .change, lookup: lookup) {
                    try await $0.revokeSessions(username: user, at: .now(), context: .commandLine)
                }
                print("revoked \(count) session\(count == 1 ? "" : "s") of \(user)")
            }
        }
    }
}
