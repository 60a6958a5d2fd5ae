// libFuzzer entry for `ImportFile(parsing:format:)` (Sources/AuthStore/Import/ImportFile.swift)
// and the hash schemes behind it (Sources/AuthStore/Passwords/). Built by fuzz/build.sh;
// never part of the Swift package or `swift test`.
//
// Checks, on any input in both formats: no crash; every problem and entry names a line
// that exists; entries are unique by name and their stored hash reads back as the same
// scheme; and no problem message of a `name:hash` line contains that line's hash (a
// message may name a scheme prefix, never the secret).
import Foundation

/// Whether `text` contains `part`, byte for byte. Not `String.contains`: with Foundation
/// imported that can stop at a NUL and report a match that is not there.
private func holds(_ text: String, _ part: Substring) -> Bool {
    let haystack = Array(text.utf8)
    let needle = Array(part.utf8)
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImport(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    for format in ImportFormat.allCases {
        let file = ImportFile(parsing: text, format: format)
        for problem in file.problems + file.warnings {
            precondition((1...lines.count).contains(problem.line), "line \(problem.line) of \(lines.count)")
        }
        precondition(Set(file.entries.map(\.user.name)).count == file.entries.count, "a name imported twice")
        for entry in file.entries {
            precondition((1...lines.count).contains(entry.line), "entry line \(entry.line) of \(lines.count)")
            let again = try? PasswordHash(parsing: entry.user.passwordHash)
            precondition(again?.scheme == entry.user.scheme, "stored form does not read back")
        }
        guard format == .htpasswd else { continue }
        for problem in file.problems {
            // The hash is the second field; the name, which messages do show, may contain it.
            let fields = lines[problem.line - 1].split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 2 || fields.count == 9 else { continue }
            let hash = fields[1].hasPrefix("!") ? fields[1].dropFirst() : fields[1]
            guard hash.count >= 24, !fields[0].contains(hash) else { continue }
            precondition(!holds(problem.message, hash), "a problem message holds a hash: \(problem)")
        }
    }
    _ = ImportFormat.infer(from: text)
    return 0
}
