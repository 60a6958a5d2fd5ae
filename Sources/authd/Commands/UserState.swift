import ArgumentParser
import AuthStore

extension UserCommand {
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user; ends the user's sessions.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var user: UsernameArgument

        func run() async throws {
            try await withStore(database, .change, lookup: try database.lookup()) {
                try await $0.setDisabled(name: user.name, true, at: .now(), context: .commandLine)
            }
            print("disabled user \(user.name); their sessions have ended")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var user: UsernameArgument

        func run() async throws {
            try await withStore(database, .change, lookup: try database.lookup()) {
                try await $0.setDisabled(name: user.name, false, at: .now(), context: .commandLine)
            }
            print("enabled user \(user.name)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and their sessions.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var user: UsernameArgument

        func run() async throws {
            try await withStore(database, .change, lookup: try database.lookup()) {
                try await $0.deleteUser(name: user.name, at: .now(), context: .commandLine)
            }
            print("deleted user \(user.name)")
        }
    }
}
