import ArgumentParser
import AuthService
import Foundation

/// `authd`: the server and its admin tool in one binary.
@main
struct Authd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "A self-hosted authentication service: users, sessions and an audit trail in SQLite.",
        version: AuthdVersion.current,
        subcommands: [Serve.self, UserCommand.self, SessionCommand.self, AuditCommand.self, ThrottleCommand.self, MigrateCommand.self, Backup.self]
    )

    static func main() async {
        // Everything authd creates (database, WAL, backups) is private to its user.
        umask(0o077)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
