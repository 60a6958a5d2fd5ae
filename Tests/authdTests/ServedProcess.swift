import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A running `authd serve` on 127.0.0.1 and a free port, for end-to-end tests.
///
/// The port is read from the server's own "listening on" log line, so tests wait for the
/// server to be ready without sleeping. stderr is drained the whole time so request logs
/// never fill the pipe.
final class ServedProcess: @unchecked Sendable {
    // @unchecked: `process` is only started once and then signalled; state is behind a Mutex.
    private let process = Process()
    private let log = Mutex("")
    private(set) var port = 0

    /// - Parameter launcher: a command that runs `authd` in its place (e.g. `prlimit` with its
    ///   options), keeping its process id; empty to run `authd` directly.
    init(sandbox: Sandbox, environment: [String: String?] = [:], arguments: [String] = [], launcher: [String] = [])
        async throws
    {
        let serve = ["serve", "--db", sandbox.db, "--port", "0", "--host", "127.0.0.1"] + arguments
        if let command = launcher.first {
            process.executableURL = URL(filePath: command)
            process.arguments = Array(launcher.dropFirst()) + [AuthdProcess.binary.path] + serve
        } else {
            process.executableURL = AuthdProcess.binary
            process.arguments = serve
        }
        process.currentDirectoryURL = sandbox.directory
        process.environment = AuthdProcess.environment(environment)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let (ports, continuation) = AsyncStream.makeStream(of: Int?.self)
        Thread.detachNewThread { [self] in
            let handle = errors.fileHandleForReading
            var announced = false
            while true {
                let chunk = ChildProcess.read(handle)
                if chunk.isEmpty { break }
                let text = self.log.withLock {
                    $0 += String(decoding: chunk, as: UTF8.self)
                    return $0
                }
                if !announced, let match = text.firstMatch(of: #/listening on 127\.0\.0\.1:(\d+),/#) {
                    announced = true
                    continuation.yield(Int(match.1))
                }
            }
            continuation.yield(nil)
            continuation.finish()
        }
        var found: Int?
        for await port in ports {
            found = port
            break
        }
        guard let found else {
            throw ServeFailure(message: "authd serve did not start:\n\(log.withLock { $0 })")
        }
        port = found
    }

    struct ServeFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Everything the server wrote to stderr so far.
    var output: String { log.withLock { $0 } }

    /// CPU time (user and system) the server has used so far, from `/proc/PID/stat`.
    func cpuTime() throws -> Duration {
        let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = try #require(Int(fields[11])) + (try #require(Int(fields[12])))
        return .milliseconds(ticks * 1000 / sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Sends `signal` without waiting for anything.
    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits until the server's stderr contains `text` (it logs each state change it makes,
    /// after making it); fails if the server exits first.
    func waitForOutput(containing text: String) async throws {
        while !output.contains(text) {
            guard process.isRunning else {
                throw ServeFailure(message: "authd serve exited before logging \"\(text)\":\n\(output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) async -> (status: Int32, signaled: Bool) {
        kill(process.processIdentifier, signal)
        let process = self.process
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume(
                    returning: (process.terminationStatus, process.terminationReason == .uncaughtSignal))
            }
        }
    }

    /// One HTTP request; returns status, headers and body text.
    func request(_ method: String, _ path: String, authorization: String? = nil) async throws
        -> (status: Int, headers: [String: String], body: String)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            headers[String(describing: key).lowercased()] = String(describing: value)
        }
        return (http.statusCode, headers, String(decoding: data, as: UTF8.self))
    }

    func login(_ user: String, _ password: String) async throws -> (status: Int, token: String, requestID: String) {
        let credentials = Data("\(user):\(password)".utf8).base64EncodedString()
        let response = try await request("POST", "/directlink/v1/auth/login", authorization: "Basic \(credentials)")
        let json = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        return (response.status, json?["bearer"] as? String ?? "", response.headers["x-request-id"] ?? "")
    }
}
