import ArgumentParser
import AuthService
import Foundation

/// `--format table|json|csv` for list commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv

    /// Renders rows under `columns`. JSON is one array of objects with the columns as keys;
    /// CSV has a header row and RFC 4180 quoting; a table is aligned for a terminal.
    /// - Parameter numericColumns: columns written as JSON numbers rather than strings.
    func render(columns: [String], rows: [[String]], numericColumns: Set<String> = []) -> String {
        switch self {
        case .json:
            let objects = rows.map { row in
                "{"
                    + zip(columns, row).map { column, value in
                        "\(WireBody.quoted(column)):\(numericColumns.contains(column) ? value : WireBody.quoted(value))"
                    }.joined(separator: ",") + "}"
            }
            return "[" + objects.joined(separator: ",\n") + "]\n"
        case .csv:
            return ([columns] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n")
                + "\n"
        case .table:
            let all = [columns.map { $0.uppercased() }] + rows.map { $0.map(Self.printable) }
            let widths = columns.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
            return all.map { row in
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingTrailingSpaces()
            }.joined(separator: "\n") + "\n"
        }
    }

    private static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Control characters would break the table's alignment (or the terminal).
    private static func printable(_ value: String) -> String {
        String(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
