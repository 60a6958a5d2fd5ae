import ArgumentParser
import AuthStore

/// `authd user …`: manage accounts. Every change is audited in its own transaction.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, change, list, disable, enable, delete and import users.",
        subcommands: [Add.self, Passwd.self, List.self, Disable.self, Enable.self, Delete.self, Import.self]
    )
}

/// The name of an existing user, checked before anything is opened.
///
/// Only its length is checked: a user created before the username rule tightened (with a
/// trailing space, say) must still be found, disabled and deleted.
struct UsernameArgument: ParsableArguments {
    @Argument(help: "The username (1 to 128 bytes).")
    var name: String

    func validate() throws {
        guard (1...User.maxNameBytes).contains(name.utf8.count) else {
            throw ValidationError("username must be 1 to \(User.maxNameBytes) bytes")
        }
    }
}

/// The name of a user to create, checked by the model's one username rule (the rule the
/// HTTP API applies at login) before anything is opened.
struct NewUsernameArgument: ParsableArguments {
    @Argument(
        help: "The username: 1 to 128 bytes of UTF-8, no control characters, no leading or trailing white space.")
    var name: String

    func validate() throws {
        if let problem = User.nameProblem(name) {
            throw ValidationError(problem)
        }
    }
}
