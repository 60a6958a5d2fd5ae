import ArgumentParser
import AuthStore

/// `authd throttle …`: see and lift login throttles.
struct ThrottleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throttle",
        abstract: "List and clear failed-login counters that throttle logins.",
        subcommands: [List.self, Clear.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Failed logins per username and address inside the window, most recent first.")

        @OptionGroup var database: DatabaseOptions
        @Option(
            name: .customLong("throttle-window"),
            help: "Window to count in (env AUTHD_THROTTLE_WINDOW, or the config file's; default 5m).")
        var throttleWindow: String?
        @Option(help: "table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let lookup = try database.lookup()
            let window = try DurationParser.require(
                lookup.value(throttleWindow, "throttle-window", default: "5m") ?? "5m",
                option: lookup.origin(of: "throttle-window"))
            let policy = ThrottlePolicy(window: window)
            let entries = try await withStore(database, .read, lookup: lookup) {
                try await $0.throttleEntries(policy: policy, at: .now())
            }
            let rows = entries.map {
                [$0.username, $0.address, String($0.failures), $0.first.iso8601, $0.last.iso8601]
            }
            print(
                format.render(
                    columns: ["username", "address", "failures", "first", "last"], rows: rows,
                    numericColumns: ["failures"]), terminator: "")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete failure counters: of a user, of an address, of both, or --all.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this username's counters.")
        var user: String?
        @Option(help: "Only this client address's counters.")
        var address: String?
        @Flag(help: "Every counter.")
        var all = false

        func validate() throws {
            guard all != (user != nil || address != nil) else {
                throw ValidationError("give --user and/or --address, or --all")
            }
        }

        func run() async throws {
            let count = try await withStore(database, .change, lookup: try database.lookup()) {
                try await $0.clearThrottle(username: user, address: address, at: .now(), context: .commandLine)
            }
            print("cleared \(count) failed-login record\(count == 1 ? "" : "s")")
        }
    }
}
