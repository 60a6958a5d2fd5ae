import Foundation

/// The operations `docs/openapi.yaml` describes: each path under `paths:` and its method keys.
///
/// Not a YAML parser, and it need not be one: it reads only the shape that file is written
/// in, which is YAML's ordinary block style with two spaces per level:
///
/// ```yaml
/// paths:              # column 0: the section starts
///   /healthz:         # two spaces, a key starting with "/": a path
///     get:            # four spaces, a key that is an HTTP method: an operation
///       summary: …    # deeper lines (and path-level keys like `servers:`) are skipped
/// components:         # column 0 again: the section has ended
/// ```
///
/// A file written in another style (flow mappings, other indentation) reads as fewer paths,
/// and the agreement test fails instead of passing by accident.
enum OpenAPIPaths {
    /// The method keys OpenAPI 3.1 allows in a path item.
    static let methodKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `docs/openapi.yaml`, found from this source file (Tests/AuthServiceTests/ → the
    /// repository root), so the test reads the file that is committed, wherever it runs.
    static var descriptionFile: URL {
        URL(filePath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "docs/openapi.yaml")
    }

    /// Upper-case methods by path.
    static func read(_ text: String) -> [String: Set<String>] {
        var operations: [String: Set<String>] = [:]
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let content = line.drop { $0 == " " }
            if content.isEmpty || content.hasPrefix("#") { continue }
            let indent = line.count - content.count
            guard let key = content.hasSuffix(":") ? String(content.dropLast()) : nil else {
                if indent == 0 { inPaths = false }
                continue
            }
            switch indent {
            case 0:
                inPaths = key == "paths"
                path = nil
            case 2 where inPaths:
                path = key.hasPrefix("/") ? key : nil
                if let path { operations[path, default: []] = [] }
            case 4 where inPaths:
                if let path, methodKeys.contains(key) { operations[path, default: []].insert(key.uppercased()) }
            default:
                continue
            }
        }
        return operations
    }
}
