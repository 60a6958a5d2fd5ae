import Foundation
import Testing

@testable import AuthStore

@Suite("authd user list")
struct UserListTests {
    /// alice (enabled) and bob (disabled).
    private func twoUsers(_ sandbox: Sandbox) async throws -> [User] {
        try await sandbox.addUser("bob")
        try await sandbox.addUser("alice")
        try #require(try await sandbox.authd("user", "disable", "bob").status == 0)
        return try await sandbox.withStore { try await $0.users() }
    }

    @Test("json is one array of objects, ordered by name, keys in column order")
    func json() async throws {
        try await Sandbox.with { sandbox in
            let users = try await twoUsers(sandbox)
            let result = try await sandbox.authd("user", "list", "--format", "json")
            #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")

            let objects = try JSONDecoder().decode([[String: String]].self, from: Data(result.stdout.utf8))
            let expected = users.map {
                [
                    "username": $0.name, "status": $0.disabled ? "disabled" : "enabled",
                    "created_at": $0.createdAt.iso8601, "updated_at": $0.updatedAt.iso8601,
                    "scheme": "pbkdf2-sha256",
                ]
            }
            #expect(objects == expected)
            #expect(objects.map { $0["username"] } == ["alice", "bob"])
            #expect(objects.map { $0["status"] } == ["enabled", "disabled"])
            #expect(result.stdout.hasPrefix("[{\"username\":\"alice\",\"status\":\"enabled\",\"created_at\":\""))
            #expect(result.stdout.hasSuffix("}]\n"))
        }
    }

    @Test("csv has a header row, then one row per user")
    func csv() async throws {
        try await Sandbox.with { sandbox in
            let users = try await twoUsers(sandbox)
            let result = try await sandbox.authd("user", "list", "--format", "csv")
            let expected =
                ["username,status,created_at,updated_at,scheme"]
                + users.map {
                    "\($0.name),\($0.disabled ? "disabled" : "enabled"),\($0.createdAt.iso8601),\($0.updatedAt.iso8601),pbkdf2-sha256"
                }
            expectSuccess(result, stdout: expected.joined(separator: "\n") + "\n")
        }
    }

    @Test("table is the default: upper-case header and aligned columns")
    func table() async throws {
        try await Sandbox.with { sandbox in
            let users = try await twoUsers(sandbox)
            let result = try await sandbox.authd("user", "list")
            #expect(result == (try await sandbox.authd("user", "list", "--format", "table")))
            #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")

            let lines = result.stdout.split(separator: "\n").map(String.init)
            try #require(lines.count == 3, "\(result)")
            #expect(lines[0].split(separator: " ") == ["USERNAME", "STATUS", "CREATED_AT", "UPDATED_AT", "SCHEME"])
            #expect(
                lines[1].split(separator: " ").map(String.init)
                    == ["alice", "enabled", users[0].createdAt.iso8601, users[0].updatedAt.iso8601, "pbkdf2-sha256"])
            #expect(
                lines[2].split(separator: " ").map(String.init)
                    == ["bob", "disabled", users[1].createdAt.iso8601, users[1].updatedAt.iso8601, "pbkdf2-sha256"])
            // Every column starts at the same offset on every line.
            for column in ["STATUS", "CREATED_AT", "UPDATED_AT", "SCHEME"] {
                let offset = try #require(lines[0].range(of: column)).lowerBound.utf16Offset(in: lines[0])
                for line in lines.dropFirst() {
                    let index = line.index(line.startIndex, offsetBy: offset)
                    #expect(line[line.index(before: index)] == " " && line[index] != " ", "\(column) in \(line)")
                }
            }
        }
    }

    @Test("no users: an empty array, a lone header")
    func empty() async throws {
        try await Sandbox.with { sandbox in
            try #require(try await sandbox.authd("migrate", "up").status == 0)
            expectSuccess(try await sandbox.authd("user", "list", "--format", "json"), stdout: "[]\n")
            expectSuccess(
                try await sandbox.authd("user", "list", "--format", "csv"),
                stdout: "username,status,created_at,updated_at,scheme\n")
        }
    }

    @Test("awkward names survive json and csv intact")
    func awkwardNames() async throws {
        try await Sandbox.with { sandbox in
            let names = ["comma,name", "quote\"name", "back\\slash", "ünïcödé"]
            for name in names { try await sandbox.addUser(name) }

            let json = try await sandbox.authd("user", "list", "--format", "json")
            let objects = try JSONDecoder().decode([[String: String]].self, from: Data(json.stdout.utf8))
            #expect(Set(objects.compactMap { $0["username"] }) == Set(names))

            let csv = try await sandbox.authd("user", "list", "--format", "csv")
            #expect(csv.stdout.contains("\n\"comma,name\",enabled,"))
            #expect(csv.stdout.contains("\n\"quote\"\"name\",enabled,"))
            #expect(csv.stdout.contains("\nback\\slash,enabled,"))
        }
    }

    @Test("an unknown format is a usage error")
    func unknownFormat() async throws {
        try await Sandbox.with { sandbox in
            expectUsageError(try await sandbox.authd("user", "list", "--format", "xml"), "xml")
        }
    }
}
