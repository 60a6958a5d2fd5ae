import ArgumentParser
import AuthStore
import AuthStorePostgres
import Foundation

extension UserCommand {
    /// `authd user import FILE|-`: users from another system, with the hashes they have.
    ///
    /// Two passes: the first checks every line and reports every problem (nothing written
    /// while any remains); the second writes all users in one transaction, so a failure or
    /// a kill leaves either all of them or none.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import users with their existing password hashes (htpasswd, /etc/shadow or JSON Lines).",
            discussion: """
                Accepted: PBKDF2 (Django, passlib/Authelia, Kratos, Keycloak in PHC form), bcrypt, \
                sha256-crypt, sha512-crypt, yescrypt, argon2i, argon2id. Each is replaced by \
                authd's own PBKDF2 at the user's first successful login.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var hashing: HashingOptions
        @Argument(help: "The file to read, or - for standard input.")
        var file: String
        @Option(help: "htpasswd (name:hash lines, or /etc/shadow) or jsonl; inferred when absent.")
        var format: ImportFormat?
        @Flag(help: "Check the file and show what would be imported; write nothing.")
        var dryRun = false

        func run() async throws {
            let lookup = try database.lookup()
            let configured = try hashing.hasher(lookup).iterations
            let text = try readInput()
            let parsed = ImportFile(parsing: text, format: format ?? ImportFormat.infer(from: text))
            // A database file that does not exist yet holds no users: the first pass needs
            // none, and a file with problems must not leave a new empty database behind. (A
            // PostgreSQL database always exists already; it is opened to look at its users.)
            let location = database.path(lookup)
            guard PostgresURL.isPostgres(location) || FileManager.default.fileExists(atPath: location) else {
                try finishFirstPass(parsed, existing: [])
                if dryRun { return printSummary(parsed.entries, configured: configured) }
                try await withStore(database, .create, lookup: lookup) { try await write(parsed, to: $0) }
                return
            }
            try await withStore(database, dryRun ? .read : .change, lookup: lookup) { store in
                try finishFirstPass(parsed, existing: Set(try await store.users().map(\.name)))
                if dryRun { return printSummary(parsed.entries, configured: configured) }
                try await write(parsed, to: store)
            }
        }

        /// The second pass: every user in one transaction.
        private func write(_ parsed: ImportFile, to store: any AuthStorage) async throws {
            // Written unbuffered before the transaction: says how far the command got.
            FileHandle.standardOutput.write(Data("importing \(Self.users(parsed.entries.count))\n".utf8))
            try await store.importUsers(parsed.entries.map(\.user), at: .now(), context: .commandLine)
            print(
                "imported \(Self.users(parsed.entries.count)) (\(Self.countsByScheme(parsed.entries))); "
                    + "each is rehashed to PBKDF2 at their first login")
        }

        /// Reports every problem of the first pass (and the users that already exist) and
        /// fails when there is any; prints the lines' warnings otherwise.
        private func finishFirstPass(_ parsed: ImportFile, existing: Set<String>) throws {
            var problems = parsed.problems
            for entry in parsed.entries where existing.contains(entry.user.name) {
                problems.append(ImportProblem(line: entry.line, "user \"\(entry.user.name)\" already exists"))
            }
            problems.sort { $0.line < $1.line }
            for problem in problems {
                FileHandle.standardError.write(Data("\(source): \(problem)\n".utf8))
            }
            if !problems.isEmpty {
                throw CommandFailure(
                    "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(source); nothing was imported")
            }
            if parsed.entries.isEmpty {
                throw CommandFailure("no users in \(source); nothing was imported")
            }
            for warning in parsed.warnings {
                printWarning("\(source): \(warning)")
            }
        }

        private var source: String { file == "-" ? "standard input" : file }

        private func readInput() throws -> String {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure("cannot read \(file)")
                }
                data = contents
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure("\(source) is not UTF-8 text")
            }
            return text
        }

        /// The dry run's report: counts per scheme and cost, and what the hashes will cost
        /// every login until their users have logged in once.
        private func printSummary(_ entries: [ImportFile.Entry], configured: Int) {
            let disabled = entries.filter(\.user.disabled).count
            print("would import \(Self.users(entries.count))" + (disabled > 0 ? " (\(disabled) disabled)" : ""))
            var counts: [String: Int] = [:]
            for entry in entries {
                counts["\(entry.hash.scheme.rawValue) \(entry.hash.cost)", default: 0] += 1
            }
            for key in counts.keys.sorted() {
                print("  \(key): \(counts[key]!)")
            }
            for warning in Self.costWarnings(entries, configured: configured) {
                printWarning(warning)
            }
        }

        /// Hashes dearer than the configured PBKDF2 cost, and the imported schemes every login
        /// will check (equal timing) until their users have logged in once.
        static func costWarnings(_ entries: [ImportFile.Entry], configured: Int) -> [String] {
            var warnings: [String] = []
            let dearer = entries.compactMap { entry -> Int? in
                guard case .pbkdf2(let hash) = entry.hash, hash.digest == .sha256, hash.iterations > configured
                else { return nil }
                return hash.iterations
            }
            if let maximum = dearer.max() {
                warnings.append(
                    "\(dearer.count) PBKDF2-SHA256 hashes cost more than the configured \(configured) iterations "
                        + "(up to \(maximum)): every login spends that until those users have logged in once")
            }
            var costliest = CostliestHashes()
            for entry in entries where entry.hash.scheme != .pbkdf2SHA256 {
                costliest.include(entry.hash)
            }
            for (scheme, hash) in costliest.sorted {
                warnings.append(
                    "every login will also spend one \(scheme.rawValue) check at \(hash.cost) until all "
                        + "\(scheme.rawValue) users have logged in once (equal timing)")
            }
            return warnings
        }

        static func users(_ count: Int) -> String {
            count == 1 ? "1 user" : "\(count) users"
        }

        static func countsByScheme(_ entries: [ImportFile.Entry]) -> String {
            var counts: [HashScheme: Int] = [:]
            for entry in entries { counts[entry.hash.scheme, default: 0] += 1 }
            return counts.sorted { $0.key < $1.key }.map { "\($0.key.rawValue): \($0.value)" }.joined(separator: ", ")
        }
    }
}

extension ImportFormat: ExpressibleByArgument {}
