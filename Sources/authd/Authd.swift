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
        subcommands: [
            Serve.self, UserCommand.self, SessionCommand.self, AuditCommand.self, ThrottleCommand.self,
            MigrateCommand.self, Backup.self,
        ]
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
            // docs/cli.md: wrong usage exits 2. Argument-parser prints the same message and usage
            // but exits with EX_USAGE (64), so only the code is changed here.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
