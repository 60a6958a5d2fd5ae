import ArgumentParser
import AuthStore

/// `authd user …`: manage accounts. Every change is audited in its own transaction.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, change, list, disable, enable and delete users.",
        subcommands: [Add.self, Passwd.self, List.self, Disable.self, Enable.self, Delete.self]
    )
}

/// A username argument, checked before anything is opened.
struct UsernameArgument: ParsableArguments {
    @Argument(help: "The username (1 to 128 bytes).")
    var name: String

    func validate() throws {
        guard User.isValidName(name) else {
            throw ValidationError("username must be 1 to \(User.maxNameBytes) bytes")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw ValidationError("username must not contain control characters")
        }
    }
}
