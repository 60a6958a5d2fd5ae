import Foundation
import PackagePlugin

/// Embeds every `migrations/*.sql` file of the package into the target as Swift source:
/// the SQLite migrations into `AuthStore`, `migrations/postgres/*.sql` into
/// `AuthStorePostgres`.
///
/// The binary must carry its schema: an operator copies `authd` to a server without the
/// source tree, and the migrator checks each applied file's SHA-256 against the embedded one.
@main
struct EmbedMigrationsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let isPostgres = target.name == "AuthStorePostgres"
        let directory = context.package.directoryURL.appending(
            path: isPostgres ? "migrations/postgres" : "migrations")
        // The declaration the generated `files` goes in: AuthStore extends its own namespace;
        // the PostgreSQL target gets a namespace of its own.
        let declaration = isPostgres ? "enum PostgresMigrationFiles" : "extension EmbeddedMigrations"
        let files = try FileManager.default
            .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) migrations into \(target.name)",
                executable: try context.tool(named: "EmbedMigrations").url,
                arguments: [output.path, declaration] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
