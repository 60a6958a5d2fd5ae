import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Testing

/// What one run of the `authd` binary produced.
struct AuthdResult: Sendable, Equatable, CustomStringConvertible {
    /// Exit status, or the signal number when `signaled`.
    let status: Int32
    /// Whether the process died of a signal (a crash, a trap) instead of exiting.
    let signaled: Bool
    let stdout: String
    let stderr: String

    /// stderr is exactly one non-empty line, ending in a newline.
    var stderrIsOneLine: Bool {
        guard stderr.hasSuffix("\n") else { return false }
        let line = stderr.dropLast()
        return !line.isEmpty && !line.contains("\n") && !line.contains("\r")
    }

    var description: String {
        "exit \(status)\(signaled ? " (signal)" : "")\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }
}

/// Runs the real `authd` binary that `swift build --build-tests` put next to the test bundle.
enum AuthdProcess {
    /// `.build/<triple>/debug/authd`: the sibling of the running test executable.
    static let binary: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appending(path: "authd")
    }()

    /// The environment every run starts from: the test's own, without any `AUTHD_*` variable
    /// (a developer's shell must not change the results), plus a cheap PBKDF2 cost.
    static func environment(_ overrides: [String: String?]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AUTHD_") }
        environment["AUTHD_PBKDF2_ITERATIONS"] = "1000"
        for (name, value) in overrides {
            environment[name] = value
        }
        return environment
    }

    /// Runs `executable` (by default `authd`) with `arguments` in `directory`.
    ///
    /// - Parameters:
    ///   - stdin: written to the child's standard input, which is then closed; `nil` gives it
    ///     an empty input (immediate end of file).
    ///   - stdinBytes: raw bytes instead of `stdin`, for input that is not UTF-8.
    ///   - environment: changes to ``environment(_:)``; a `nil` value removes the variable.
    static func run(
        _ arguments: [String], executable: URL = binary, in directory: URL, stdin: String? = nil,
        stdinBytes: [UInt8]? = nil, environment overrides: [String: String?] = [:]
    ) async throws -> AuthdResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment(overrides)

        // The input is written before the child starts and is far below a pipe's buffer, so the
        // write cannot block, and a child that exits without reading it cannot raise SIGPIPE here.
        let data = stdinBytes.map { Data($0) } ?? Data((stdin ?? "").utf8)
        precondition(data.count < 65_536, "stdin must fit in a pipe's buffer")
        let input = Pipe()
        try input.fileHandleForWriting.write(contentsOf: data)
        try input.fileHandleForWriting.close()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        let box = ProcessBox(process)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Blocking reads get threads of their own, off the cooperative pool (and off
                // GCD's, which is only as wide as the machine).
                Thread.detachNewThread {
                    // Both pipes are drained to EOF before waiting, so a chatty child never
                    // blocks on a full pipe while we wait for it.
                    let errorsRead = DispatchSemaphore(value: 0)
                    nonisolated(unsafe) var errorData = Data()
                    Thread.detachNewThread {
                        errorData = ChildProcess.readToEnd(errors.fileHandleForReading)
                        errorsRead.signal()
                    }
                    let outputData = ChildProcess.readToEnd(output.fileHandleForReading)
                    errorsRead.wait()
                    process.waitUntilExit()
                    continuation.resume(
                        returning: AuthdResult(
                            status: process.terminationStatus,
                            signaled: process.terminationReason == .uncaughtSignal,
                            stdout: String(decoding: outputData, as: UTF8.self),
                            stderr: String(decoding: errorData, as: UTF8.self)))
                }
            }
        } onCancel: {
            box.terminate()
        }
    }
}

/// Reading children's pipes safely while many tests run at once.
///
/// Foundation's `FileHandle` reads stop the process on EINTR, which a child exiting can
/// cause; these retry instead.
enum ChildProcess {
    /// The next bytes from `handle` (blocking until some arrive); empty at end of file.
    static func read(_ handle: FileHandle) -> Data {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = Glibc.read(handle.fileDescriptor, &buffer, buffer.count)
            if count >= 0 { return Data(buffer[..<count]) }
            if errno != EINTR { return Data() }
        }
    }

    /// Everything `handle` delivers until end of file.
    static func readToEnd(_ handle: FileHandle) -> Data {
        var data = Data()
        while true {
            let chunk = read(handle)
            if chunk.isEmpty { return data }
            data += chunk
        }
    }
}

/// Lets a cancelled test (a hang guard's time limit) stop the child it is waiting for.
final class ProcessBox: @unchecked Sendable {
    private let process: Process
    init(_ process: Process) { self.process = process }
    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
