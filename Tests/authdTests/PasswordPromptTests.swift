import Foundation
import Testing

@testable import AuthStore

/// Runs authd on a pseudo-terminal through `script(1)`, typing each reply only once its
/// prompt has appeared: authd flushes pending terminal input when it turns echo off, so
/// typing ahead would be lost. The prompts are the synchronisation; nothing sleeps.
enum Terminal {
    struct Result {
        let status: Int32
        /// Everything the terminal showed (stdout and stderr together, with CR LF line ends).
        let screen: String
    }

    static func run(_ arguments: [String], in directory: URL, replies: [(prompt: String, reply: String)]) async throws
        -> Result
    {
        let command = ([AuthdProcess.binary.path] + arguments).map(quoted).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = directory
        process.environment = AuthdProcess.environment(["SHELL": "/bin/sh"])
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        let box = ProcessBox(process)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    let errorsRead = DispatchSemaphore(value: 0)
                    nonisolated(unsafe) var errorData = Data()
                    Thread.detachNewThread {
                        errorData = ChildProcess.readToEnd(errors.fileHandleForReading)
                        errorsRead.signal()
                    }
                    var screen = Data()
                    var searchFrom = 0
                    var pending = replies[...]
                    while true {
                        let chunk = ChildProcess.read(output.fileHandleForReading)
                        if chunk.isEmpty { break }
                        screen.append(chunk)
                        while let next = pending.first,
                            let found = screen[searchFrom...].firstRange(of: Data(next.prompt.utf8))
                        {
                            searchFrom = found.upperBound
                            try? input.fileHandleForWriting.write(contentsOf: Data((next.reply + "\n").utf8))
                            pending = pending.dropFirst()
                        }
                    }
                    // stdin stays open until authd has finished, so script never sends it an EOF.
                    try? input.fileHandleForWriting.close()
                    errorsRead.wait()
                    process.waitUntilExit()
                    let text = String(decoding: screen, as: UTF8.self) + String(decoding: errorData, as: UTF8.self)
                    continuation.resume(returning: Result(status: process.terminationStatus, screen: text))
                }
            }
        } onCancel: {
            box.terminate()
        }
    }

    private static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

@Suite(
    "password prompt on a terminal (no --password-stdin)",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) from util-linux"),
    .timeLimit(.minutes(5)))  // a hang guard only, not a speed check: a prompt that never comes must not stall CI
struct PasswordPromptTests {
    let hasher = PasswordHasher(iterations: 1000)

    @Test("user add asks twice without echo and stores the password typed")
    func addPrompted() async throws {
        try await Sandbox.with { sandbox in
            let result = try await Terminal.run(
                ["user", "add", "alice", "--db", sandbox.db], in: sandbox.directory,
                replies: [("New password: ", "typed secret"), ("Repeat password: ", "typed secret")])
            #expect(result.status == 0, "\(result.screen)")
            #expect(result.screen.contains("added user alice"))
            #expect(!result.screen.contains("typed secret"), "the password was echoed: \(result.screen)")

            let hash = try await sandbox.withStore { try #require(try await $0.user(named: "alice")).passwordHash }
            #expect(hasher.verify("typed secret", against: hash) == .match(needsRehash: false))
        }
    }

    @Test("user passwd asks twice and ends the sessions")
    func passwdPrompted() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: "old")
            try await sandbox.openSessions(for: "alice")
            let result = try await Terminal.run(
                ["user", "passwd", "alice", "--db", sandbox.db], in: sandbox.directory,
                replies: [("New password: ", "new one"), ("Repeat password: ", "new one")])
            #expect(result.status == 0, "\(result.screen)")
            let state = try await sandbox.state()
            #expect(state.sessions.isEmpty)
            let hash = try #require(state.users.first).passwordHash
            #expect(hasher.verify("new one", against: hash) == .match(needsRehash: false))
        }
    }

    @Test("two different passwords: exit 1, one message, no user")
    func mismatch() async throws {
        try await Sandbox.with { sandbox in
            let result = try await Terminal.run(
                ["user", "add", "alice", "--db", sandbox.db], in: sandbox.directory,
                replies: [("New password: ", "one thing"), ("Repeat password: ", "another")])
            #expect(result.status == 1, "\(result.screen)")
            let errorLines = result.screen.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Error: ") }
            #expect(errorLines == ["Error: passwords do not match"], "\(result.screen)")
            #expect(try await sandbox.state().users.isEmpty)
        }
    }

    @Test("an empty password typed twice is refused")
    func emptyPrompted() async throws {
        try await Sandbox.with { sandbox in
            let result = try await Terminal.run(
                ["user", "add", "alice", "--db", sandbox.db], in: sandbox.directory,
                replies: [("New password: ", ""), ("Repeat password: ", "")])
            #expect(result.status == 1, "\(result.screen)")
            #expect(result.screen.contains("Error: password must be 1 to 1024 bytes"))
            #expect(try await sandbox.state().users.isEmpty)
        }
    }

    @Test(
        "without a terminal and without --password-stdin: exit 1 and a hint",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid"), "needs setsid(1)"))
    func noTerminal() async throws {
        try await Sandbox.with { sandbox in
            // setsid: a new session has no controlling terminal, whatever the test runner has.
            let result = try await AuthdProcess.run(
                ["-w", AuthdProcess.binary.path, "user", "add", "alice", "--db", sandbox.db],
                executable: URL(fileURLWithPath: "/usr/bin/setsid"), in: sandbox.directory, stdin: "pw\npw\n")
            expectFailure(result, "no terminal to prompt for a password; pipe it in with --password-stdin")
            #expect(try await sandbox.state().users.isEmpty)
        }
    }
}
