import ArgumentParser
import AuthStore

extension UserCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user (password prompted twice, or --password-stdin).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var hashing: HashingOptions
        @OptionGroup var user: NewUsernameArgument
        @Flag(help: "Read the password as one line from standard input.")
        var passwordStdin = false

        func run() async throws {
            let lookup = try database.lookup()
            let hasher = try hashing.hasher(lookup)
            try await withStore(database, .create, lookup: lookup) { store in
                // Fail on a taken name before asking for a password.
                if try await store.user(named: user.name) != nil {
                    throw CommandFailure("user \"\(user.name)\" already exists")
                }
                let password = try PasswordInput.read(fromStdin: passwordStdin)
                try await store.addUser(
                    name: user.name, passwordHash: hasher.hash(password), at: .now(), context: .commandLine)
            }
            print("added user \(user.name)")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password; ends the user's sessions.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var hashing: HashingOptions
        @OptionGroup var user: UsernameArgument
        @Flag(help: "Read the password as one line from standard input.")
        var passwordStdin = false

        func run() async throws {
            let lookup = try database.lookup()
            let hasher = try hashing.hasher(lookup)
            try await withStore(database, .change, lookup: lookup) { store in
                guard try await store.user(named: user.name) != nil else {
                    throw CommandFailure("no user named \"\(user.name)\"")
                }
                let password = try PasswordInput.read(fromStdin: passwordStdin)
                try await store.changePassword(
                    name: user.name, passwordHash: hasher.hash(password), at: .now(),
                    context: .commandLine)
            }
            print("changed password of \(user.name); their sessions have ended")
        }
    }
}
