import Foundation

/// A fresh directory under the system temporary directory, one per test.
///
/// Use it through ``withTemporaryDirectory(_:)``, which removes it afterwards whatever the
/// test did; a plain `deinit` could run before the last file in it is closed.
struct TemporaryDirectory: Sendable {
    let path: String

    fileprivate init() throws {
        let template = NSTemporaryDirectory() + "/authstore-tests.XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: template])
        }
        path = String(cString: created)
    }

    /// The path of `name` inside the directory.
    func file(_ name: String) -> String {
        path + "/" + name
    }

    /// The POSIX permission bits of `name`, or `nil` if it does not exist.
    func mode(of name: String) -> Int? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: file(name))
        return (attributes?[.posixPermissions] as? NSNumber)?.intValue
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: file(name))
    }

    fileprivate func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a new temporary directory and removes the directory afterwards.
func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try await body(directory)
}
