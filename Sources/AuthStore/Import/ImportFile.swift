import Foundation

/// An import file read and checked line by line, without a database: what `user import`
/// checks in its first pass, reusable by any storage engine.
///
/// Every line is checked and every problem kept, so one run reports them all. A line that
/// is fine on its own can still be a problem: a username already on an earlier line.
public struct ImportFile: Sendable {
    /// A line that can be imported.
    public struct Entry: Sendable, Equatable {
        public let line: Int
        public let user: ImportedUser
        public let hash: PasswordHash
    }

    public let entries: [Entry]
    public let problems: [ImportProblem]
    /// Lines that import but deserve a word (a weak bcrypt cost).
    public let warnings: [ImportProblem]

    public init(parsing text: String, format: ImportFormat) {
        var entries: [Entry] = []
        var problems: [ImportProblem] = []
        var warnings: [ImportProblem] = []
        var firstLine: [String: Int] = [:]
        // "\r\n" is one Character in Swift: a line ends at either.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                let fields =
                    switch format {
                    case .htpasswd: try Self.htpasswdFields(line)
                    case .jsonl: try Self.jsonFields(line)
                    }
                guard let fields else { continue }
                if let problem = User.nameProblem(fields.name) {
                    throw ImportProblem(line: 0, problem)
                }
                let hash: PasswordHash
                do {
                    hash = try PasswordHash(parsing: fields.hash)
                } catch {
                    throw ImportProblem(line: 0, "user \"\(fields.name)\": \(error)")
                }
                if let earlier = firstLine[fields.name] {
                    throw ImportProblem(line: 0, "user \"\(fields.name)\" is also on line \(earlier)")
                }
                firstLine[fields.name] = number
                if let warning = hash.warning {
                    warnings.append(ImportProblem(line: number, "user \"\(fields.name)\": \(warning)"))
                }
                entries.append(
                    Entry(
                        line: number, user: ImportedUser(name: fields.name, hash: hash, disabled: fields.disabled),
                        hash: hash))
            } catch let problem as ImportProblem {
                problems.append(ImportProblem(line: number, problem.message))
            } catch {
                problems.append(ImportProblem(line: number, "\(error)"))
            }
        }
        (self.entries, self.problems, self.warnings) = (entries, problems, warnings)
    }

    private struct Fields {
        let name: String
        let hash: String
        let disabled: Bool
    }

    /// `name:hash`, or /etc/shadow's nine fields (`!hash`: disabled); `nil` for a comment.
    private static func htpasswdFields(_ line: Substring) throws -> Fields? {
        if line.first == "#" { return nil }
        let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch fields.count {
        case 2:
            guard !fields[1].isEmpty else { throw ImportProblem(line: 0, "user \"\(fields[0])\" has no password hash") }
            return Fields(name: fields[0], hash: fields[1], disabled: false)
        case 9:
            // /etc/shadow: "!" before the hash locks the account; "*", "!" or nothing is no
            // password at all, which cannot be imported as one.
            var hash = fields[1]
            let locked = hash.hasPrefix("!")
            if locked { hash.removeFirst() }
            guard !hash.isEmpty, hash != "*", hash != "!" else {
                throw ImportProblem(
                    line: 0, "user \"\(fields[0])\" has no password in this shadow file (\"*\", \"!\" or empty)")
            }
            return Fields(name: fields[0], hash: hash, disabled: locked)
        default:
            throw ImportProblem(
                line: 0, "expected name:hash (htpasswd) or the 9 fields of /etc/shadow, found \(fields.count) fields")
        }
    }

    private static let jsonKeys: Set<String> = ["username", "password_hash", "disabled"]

    private static func jsonFields(_ line: Substring) throws -> Fields? {
        let object: [String: JSONField]
        do {
            object = try JSONDecoder().decode([String: JSONField].self, from: Data(line.utf8))
        } catch {
            throw ImportProblem(line: 0, "not a JSON object")
        }
        if let unknown = object.keys.filter({ !jsonKeys.contains($0) }).sorted().first {
            throw ImportProblem(line: 0, "unknown key \"\(unknown)\" (expected username, password_hash, disabled)")
        }
        guard case .string(let name) = object["username"] else {
            throw ImportProblem(line: 0, "\"username\" must be a string")
        }
        guard case .string(let hash) = object["password_hash"] else {
            throw ImportProblem(line: 0, "\"password_hash\" must be a string")
        }
        var disabled = false
        switch object["disabled"] {
        case nil: break
        case .bool(let value)?: disabled = value
        default: throw ImportProblem(line: 0, "\"disabled\" must be true or false")
        }
        return Fields(name: name, hash: hash, disabled: disabled)
    }

    /// A JSON value as far as the import cares: a string, a boolean, or something else.
    private enum JSONField: Decodable {
        case string(String)
        case bool(Bool)
        case other

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else {
                self = .other
            }
        }
    }
}
