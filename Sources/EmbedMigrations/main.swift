import Foundation

// Build-time tool: writes a Swift file holding each migration's name and exact text.
// Usage: EmbedMigrations OUTPUT.swift DECLARATION FILE.sql...
// DECLARATION is what holds `files`: "extension EmbeddedMigrations" or "enum NAME".
// Every character is escaped so the embedded text is byte-for-byte the file's text, which
// the migrator's checksums depend on.

func swiftLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case " "..."~": out.unicodeScalars.append(scalar)
        default: out += "\\u{\(String(scalar.value, radix: 16))}"
        }
    }
    return out + "\""
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedMigrations OUTPUT.swift DECLARATION FILE.sql...\n".utf8))
    exit(2)
}

var source = """
    // Generated at build time by EmbedMigrations from migrations/*.sql. Do not edit.

    \(arguments.dropFirst().first!) {
        static let files: [(name: String, sql: String)] = [

    """
for path in arguments.dropFirst(2) {
    let url = URL(fileURLWithPath: path)
    guard let data = FileManager.default.contents(atPath: path),
        let text = String(data: data, encoding: .utf8)
    else {
        FileHandle.standardError.write(Data("EmbedMigrations: \(path) is unreadable or not UTF-8\n".utf8))
        exit(1)
    }
    source += "        (\(swiftLiteral(url.lastPathComponent)), \(swiftLiteral(text))),\n"
}
source += "    ]\n}\n"

do {
    try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("EmbedMigrations: cannot write \(outputPath): \(error)\n".utf8))
    exit(1)
}
