import ArgumentParser
import AuthStore

/// `authd backup DEST`: a consistent copy of the live database.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database to DEST (SQLite online backup; safe while serving).")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Destination file; must not exist.")
    var destination: String

    func run() async throws {
        try await withStore(database, .read, lookup: try database.lookup()) { try await $0.backup(to: destination) }
        print("backup written to \(destination)")
    }
}
