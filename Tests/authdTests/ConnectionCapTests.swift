import Foundation
import Testing

/// Connections past the cap wait in the kernel's backlog instead of being accepted, so the
/// server never runs out of descriptors, never spins on `accept`, and serves a waiting
/// connection as soon as another closes.
@Suite(.timeLimit(.minutes(3))) struct ConnectionCapTests {
    /// Holds `count` idle connections to `port`.
    static func hold(_ count: Int, port: Int) throws -> [RawConnection] {
        try (0..<count).map { _ in try RawConnection(port: port) }
    }

    static let healthz = "GET /healthz HTTP/1.1\r\nHost: authd\r\nConnection: close\r\n\r\n"

    @Test func aConnectionPastTheCapIsServedOnceOthersClose() async throws {
        try await Sandbox.with { sandbox in
            let server = try await ServedProcess(sandbox: sandbox, arguments: ["--max-connections", "16"])
            // The listener checks the cap before each read of the accept queue, and one read
            // accepts up to 4 connections (NIO's default), so a loaded server can end up to 3
            // over the cap: hold enough that the fresh one is past any batch.
            var held = try Self.hold(20, port: server.port)
            let fresh = try RawConnection(port: server.port, timeout: .seconds(1))
            fresh.send(Self.healthz)
            // Absence of an answer within a second: a server without the cap answers in
            // milliseconds; with it there is nothing to wait for, so this cannot turn red on
            // a slow machine.
            let early = try? fresh.readUntilClosed()
            #expect(early == nil, "answered at the cap: \(String(decoding: early ?? [], as: UTF8.self))\n\(server.output)")
            held.removeAll()
            fresh.setReceiveTimeout(.seconds(30))
            let answer = String(decoding: try fresh.readUntilClosed(), as: UTF8.self)
            #expect(
                answer.hasPrefix("HTTP/1.1 200 OK") && answer.hasSuffix(#"{"status":"ok"}"#), "\(answer)\n\(server.output)")
            await server.stop()
        }
    }

    /// Under a low open-file limit the default cap stays below it: holding more connections
    /// than the process has descriptors does not make it spin on EMFILE, and it serves a
    /// fresh connection once others close.
    @Test func moreConnectionsThanDescriptorsNeitherSpinNorStarve() async throws {
        try await Sandbox.with { sandbox in
            let server = try await ServedProcess(sandbox: sandbox, launcher: ["/usr/bin/prlimit", "--nofile=200:200"])
            let held = try HeldConnections(260, port: server.port)
            let fresh = try RawConnection(port: server.port, timeout: .seconds(1))
            fresh.send(Self.healthz)
            let before = try server.cpuTime()
            #expect(throws: (any Error).self) { _ = try fresh.readUntilClosed() }
            let spent = try server.cpuTime() - before
            // A listener spinning on EMFILE burns the whole second; an idle one nearly nothing.
            #expect(spent < .milliseconds(500), "server used \(spent) of CPU while idle at the cap")
            held.release()
            fresh.setReceiveTimeout(.seconds(30))
            let answer = String(decoding: try fresh.readUntilClosed(), as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"), "\(answer)")
            await server.stop()
        }
    }

    @Test func aCapAboveTheOpenFileLimitIsRefusedAtStart() async throws {
        try await Sandbox.with { sandbox in
            let result = try await AuthdProcess.run(
                ["--nofile=200:200", AuthdProcess.binary.path, "serve", "--db", sandbox.db, "--max-connections", "5000"],
                executable: URL(filePath: "/usr/bin/prlimit"), in: sandbox.directory)
            #expect(result.status == 1 && result.stderrIsOneLine, "\(result)")
            #expect(result.stderr.contains("at most 72 under the open-file limit of 200"), "\(result)")
        }
    }
}

/// Idle connections held by a child process (python3), so that the test process itself
/// keeps few descriptors: Foundation's `Process.run` walks every descriptor of the process
/// that spawns, while other tests spawn `authd` in parallel.
final class HeldConnections {
    private let process = Process()
    private let input = Pipe()

    static let script = """
        import socket, sys
        port, count = int(sys.argv[1]), int(sys.argv[2])
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        print("held", flush=True)
        sys.stdin.read()
        """

    /// Returns once all `count` connections are open (the child says so).
    init(_ count: Int, port: Int) throws {
        let output = Pipe()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, String(port), String(count)]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = String(decoding: ChildProcess.read(output.fileHandleForReading), as: UTF8.self)
        guard line.hasPrefix("held") else {
            release()
            throw ServedProcess.ServeFailure(message: "could not hold \(count) connections: \(line)")
        }
    }

    /// Closes every held connection (the child exits) and waits for the child.
    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
