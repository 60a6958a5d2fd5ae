import ArgumentParser
import AuthStore
import Foundation

/// Option values from flags, then `AUTHD_*` environment variables, then defaults
/// (docs/cli.md: every option also reads the variable of the same name).
enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Failures of a command: one line on stderr, exit 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `--pbkdf2-iterations` / `AUTHD_PBKDF2_ITERATIONS`, for commands that hash passwords.
struct HashingOptions: ParsableArguments {
    @Option(
        name: .customLong("pbkdf2-iterations"),
        help: "PBKDF2 cost for new hashes (env AUTHD_PBKDF2_ITERATIONS; default 600000).")
    var pbkdf2Iterations: String?

    func hasher(_ lookup: OptionLookup = .environmentOnly) throws -> PasswordHasher {
        let fallback = String(PasswordHasher.defaultIterations)
        let text = lookup.value(pbkdf2Iterations, "pbkdf2-iterations", default: fallback) ?? fallback
        guard let iterations = Int(text), iterations >= 1, iterations <= Int(Int32.max) else {
            throw CommandFailure(
                "invalid \(lookup.origin(of: "pbkdf2-iterations")) \"\(text)\": must be a whole number from 1 to \(Int32.max)"
            )
        }
        return PasswordHasher(iterations: iterations)
    }
}
