import Foundation
import TOMLKit

/// `authd serve --config FILE`: a TOML file whose keys are `serve`'s long option names.
///
/// ```toml
/// db = "/var/lib/authd/authd.sqlite"
/// port = 8080
/// token-ttl = "8h"
/// trusted-proxy = ["127.0.0.1/32", "10.0.0.0/8"]
/// ```
///
/// Numbers may be TOML integers or strings; repeatable options take an array (or one
/// comma-separated string, as their environment variable does). An unknown key is an
/// error, so a typo is never silently ignored.
struct ConfigFile {
    let path: String
    /// Values by option name, as text (lists as several texts).
    let values: [String: [String]]
    /// One line each, for stderr or the server log: the file is readable by group or others
    /// and holds a database password.
    let warnings: [String]

    /// Reads and checks `path`.
    /// - Parameters:
    ///   - options: the option names the file may set.
    ///   - lists: those of them that repeat.
    /// - Throws: ``CommandFailure`` naming the file, and the line or key, for an unreadable
    ///   file, bad TOML, an unknown key or a value of the wrong type.
    init(path: String, options: [String], lists: Set<String>) throws {
        self.path = path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read config file \(path): \(Self.reason(error))")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw CommandFailure("config file \(path), line \(error.source.begin.line): \(error.description)")
        }
        var values: [String: [String]] = [:]
        for key in table.keys.sorted() {
            guard options.contains(key) else {
                // Quoted as TOML text, with escapes: a key may hold a newline; the error stays one line.
                throw CommandFailure(
                    "config file \(path): unknown option \(OptionLookup.quoted(key)) (known: \(options.joined(separator: ", ")))"
                )
            }
            guard let value = table[key],
                let texts = Self.texts(value, repeatable: lists.contains(key), boolean: Self.switches.contains(key))
            else {
                let expected =
                    lists.contains(key)
                    ? "a string or an array of strings"
                    : Self.switches.contains(key) ? "true or false" : "a string or a number"
                throw CommandFailure("config file \(path): \(key) must be \(expected)")
            }
            values[key] = texts
        }
        self.values = values
        self.warnings = Self.exposedPassword(path: path, db: values["db"]?.first).map { [$0] } ?? []
    }

    /// A warning when the file is readable by group or others and its `db` is a URL with a
    /// password (`postgres://user:secret@host/db`): then every local user can read the
    /// database's credentials. Only a warning, and the file is left as it is: a config file
    /// without secrets is commonly 0644, and who may read it is the operator's decision.
    static func exposedPassword(path: String, db: String?) -> String? {
        guard let db, let password = URLComponents(string: db)?.password, !password.isEmpty else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = UInt32(info.st_mode & 0o7777)
        guard mode & 0o044 != 0 else { return nil }
        let digits = String(mode, radix: 8)
        let octal = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        return "config file \(path) is readable by group or others (mode \(octal)) "
            + "and its db holds a password; run chmod 600 on it"
    }

    /// Options that are on or off (a flag on the command line): the only keys a TOML boolean
    /// is accepted for, so `port = true` stays a type error.
    static let switches: Set<String> = ["metrics-on-api-port"]

    /// A scalar as one text; for repeatable options an array, or one comma-separated string.
    private static func texts(_ value: any TOMLValueConvertible, repeatable: Bool, boolean: Bool) -> [String]? {
        if let string = value.string {
            return repeatable ? string.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [string]
        }
        if let int = value.int { return [String(int)] }
        if boolean { return value.bool.map { [String($0)] } }
        if repeatable, let array = value.array {
            var texts: [String] = []
            for element in array {
                guard let text = element.string ?? element.int.map(String.init) else { return nil }
                texts.append(text)
            }
            return texts
        }
        return nil
    }

    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return (error as NSError).localizedDescription
    }
}
