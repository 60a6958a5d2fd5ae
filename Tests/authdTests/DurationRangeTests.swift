import Foundation
import Testing

/// docs/cli.md: durations and times are checked for range; an absurd value is one line, never a
/// crash.
@Suite("absurd durations through the real binary")
struct DurationRangeTests {
    static let absurd = "999999999d"

    @Test(
        "every duration and time option: one line, exit 1, no signal",
        arguments: [
            ["audit", "--since", absurd],
            ["audit", "--until", absurd],
            ["audit", "prune", "--before", absurd],
            ["throttle", "list", "--throttle-window", absurd],
            ["serve", "--print-config", "--token-ttl", absurd],
            ["serve", "--print-config", "--idle-timeout", absurd],
            ["serve", "--print-config", "--throttle-window", absurd],
            ["serve", "--print-config", "--shutdown-delay", absurd],
        ])
    func absurdFlag(arguments: [String]) async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let result = try await sandbox.authd(arguments: arguments + ["--db", sandbox.db])
            let option = try #require(arguments.first { $0.hasPrefix("--") && $0 != "--print-config" })
            expectFailure(result, "invalid \(option) \"\(Self.absurd)\": ")
            #expect(result.stderr.contains("at most 36500d"), "\(result)")
        }
    }

    @Test("36500d is the largest accepted value; past it, from the environment and the config file too")
    func boundEnvironmentAndFile() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let largest = try await sandbox.authd("audit", "--since", "36500d", "--format", "csv")
            #expect(largest.status == 0 && largest.stdout.split(separator: "\n").count == 2, "\(largest)")
            expectFailure(try await sandbox.authd("audit", "--since", "36501d"), "at most 36500d")
            let fromEnvironment = try await sandbox.authd(
                "serve", "--print-config", environment: ["AUTHD_THROTTLE_WINDOW": Self.absurd])
            expectFailure(fromEnvironment, "invalid AUTHD_THROTTLE_WINDOW \"\(Self.absurd)\": at most 36500d")
            let file = sandbox.path("authd.toml")
            try Data("token-ttl = \"\(Self.absurd)\"\n".utf8).write(to: URL(fileURLWithPath: file))
            let fromFile = try await sandbox.authd("serve", "--print-config", "--config", file)
            expectFailure(fromFile, "invalid token-ttl in \(file) \"\(Self.absurd)\": at most 36500d")
        }
    }
}
