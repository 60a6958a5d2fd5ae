import AuthService
import Foundation

/// Resolves option values in docs/cli.md's order — the flag, else the `AUTHD_*` variable of the
/// same name, else the config file, else the default — and remembers where each value came
/// from, for error messages and `serve --print-config`.
///
/// Commands without a config file use ``environmentOnly``.
final class OptionLookup {
    enum Source: Equatable {
        case flag, environment
        case file(String)
        case defaultValue
    }

    /// One resolved option, in the order it was looked up.
    struct Resolved {
        let option: String
        let values: [String]
        let isList: Bool
        let source: Source
    }

    private let file: ConfigFile?
    private(set) var resolved: [Resolved] = []

    init(file: ConfigFile? = nil) {
        self.file = file
    }

    static var environmentOnly: OptionLookup { OptionLookup() }

    /// What the config file found worth a warning (see ``ConfigFile/warnings``).
    var warnings: [String] { file?.warnings ?? [] }

    /// `token-ttl` ↔ `AUTHD_TOKEN_TTL`.
    static func variable(for option: String) -> String {
        "AUTHD_" + option.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The value of a single-valued option; nil only when it has no default and is unset.
    @discardableResult
    func value(_ flag: String?, _ option: String, default fallback: String?) -> String? {
        let (values, source): ([String]?, Source) =
            if let flag { ([flag], .flag) } else if let text = Environment.value(Self.variable(for: option)) {
                ([text], .environment)
            } else if let file, let values = file.values[option] { (values, .file(file.path)) } else {
                (fallback.map { [$0] }, .defaultValue)
            }
        guard let value = values?.last else { return nil }
        record(Resolved(option: option, values: [value], isList: false, source: source))
        return value
    }

    /// The values of a repeatable option (its variable is comma-separated).
    func list(_ flags: [String], _ option: String) -> [String] {
        let (values, source): ([String], Source) =
            if !flags.isEmpty { (flags, .flag) } else if let text = Environment.value(Self.variable(for: option)) {
                (text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, .environment)
            } else if let file, let values = file.values[option] { (values, .file(file.path)) } else {
                ([], .defaultValue)
            }
        record(Resolved(option: option, values: values, isList: true, source: source))
        return values
    }

    /// How to name `option` in an error: as the user set it (`--port`, `AUTHD_PORT`, or
    /// `port in FILE`), so the message points at the line to fix.
    func origin(of option: String) -> String {
        switch resolved.last(where: { $0.option == option })?.source {
        case .environment: Self.variable(for: option)
        case .file(let path): "\(option) in \(path)"
        case .flag, .defaultValue, nil: "--\(option)"
        }
    }

    private func record(_ entry: Resolved) {
        resolved.removeAll { $0.option == entry.option }
        resolved.append(entry)
    }

    /// The effective configuration as a TOML config file, with each value's source as a
    /// comment: the output can be saved and used as `--config`. Options in `secret` are
    /// shown as `<redacted>`; options in `redacting` are shown as their function makes them
    /// (a database URL without its password).
    func renderTOML(
        order: [String], secret: Set<String> = [], redacting: [String: (String) -> String] = [:]
    ) -> String {
        var lines = ["# authd serve: effective configuration (flag > env > config file > default)"]
        for option in order {
            guard let entry = resolved.first(where: { $0.option == option }) else {
                lines.append("# \(option) is not set")
                continue
            }
            let comment: String =
                switch entry.source {
                case .flag: "flag --\(option)"
                case .environment: "env \(Self.variable(for: option))"
                case .file(let path): "file \(path)"
                case .defaultValue: "default"
                }
            let value: String
            if secret.contains(option) {
                value = Self.quoted("<redacted>")
            } else if let redact = redacting[option], !entry.isList {
                value = Self.literal(redact(entry.values.first ?? ""))
            } else if entry.isList {
                value = "[" + entry.values.map(Self.literal).joined(separator: ", ") + "]"
            } else {
                value = Self.literal(entry.values.first ?? "")
            }
            lines.append("\(option) = \(value)  # \(comment)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whole numbers and booleans bare, everything else a TOML basic string.
    private static func literal(_ text: String) -> String {
        if let number = Int(text), String(number) == text { return text }
        if text == "true" || text == "false" { return text }
        return quoted(text)
    }

    /// A TOML basic string: JSON's escaping, plus DEL, which TOML (unlike JSON) requires escaped.
    static func quoted(_ text: String) -> String {
        WireBody.quoted(text).replacingOccurrences(of: "\u{7f}", with: "\\u007F")
    }
}
