import AuthStore
import Foundation

/// Reads a new password: one line from stdin (`--password-stdin`), or typed twice at the
/// terminal without echo. Never from argv, where other users could read it in `ps`.
enum PasswordInput {
    static func read(fromStdin: Bool) throws -> String {
        let password: String
        if fromStdin {
            password = try stdinLine()
        } else {
            let first = try prompt("New password: ")
            let second = try prompt("Repeat password: ")
            guard first == second else { throw CommandFailure("passwords do not match") }
            password = first
        }
        guard User.isValidPassword(password) else {
            throw CommandFailure("password must be 1 to \(User.maxPasswordBytes) bytes")
        }
        return password
    }

    /// One line from stdin without its `\n` or `\r\n`. Unlike `readLine`, which silently
    /// turns bytes that are not UTF-8 into U+FFFD (storing a password nobody can type, since
    /// login rejects such bytes), this refuses them, as the prompt does.
    private static func stdinLine() throws -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        var ended = false
        var readAny = false
        while true {
            let count = Foundation.read(STDIN_FILENO, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { break }
            readAny = true
            if byte == UInt8(ascii: "\n") {
                ended = true
                break
            }
            bytes.append(byte)
            // Longer than any password even with its line end: refuse it without reading the rest.
            if bytes.count > User.maxPasswordBytes + 1 {
                throw CommandFailure("password must be 1 to \(User.maxPasswordBytes) bytes")
            }
        }
        guard readAny else { throw CommandFailure("no password on standard input") }
        if ended, bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard let line = String(validating: bytes, as: UTF8.self) else {
            throw CommandFailure("password is not valid UTF-8")
        }
        return line
    }

    /// Prompts on the controlling terminal with echo off.
    private static func prompt(_ text: String) throws -> String {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else {
            throw CommandFailure("no terminal to prompt for a password; pipe it in with --password-stdin")
        }
        defer { close(tty) }
        var saved = termios()
        tcgetattr(tty, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(tty, TCSAFLUSH, &silent)
        defer {
            tcsetattr(tty, TCSAFLUSH, &saved)
            _ = write(tty, "\n", 1)
        }
        _ = text.withCString { write(tty, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Foundation.read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            bytes.append(byte)
        }
        guard let line = String(validating: bytes, as: UTF8.self) else {
            throw CommandFailure("password is not valid UTF-8")
        }
        return line
    }
}
