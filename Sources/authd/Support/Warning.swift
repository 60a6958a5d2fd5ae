import Foundation

/// A warning from an admin command: one line on stderr, `Warning: …`, next to the
/// `Error: …` lines of failures; the command goes on. `serve` logs its warnings instead.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("Warning: \(message)\n".utf8))
}
