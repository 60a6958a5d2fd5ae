import Foundation
import Testing

@testable import AuthStore

@Suite struct BackupTests {
    @Test func backupOpensWithTheSameContent() async throws {
        try await withStore { store, directory in
            let alice = try await store.addUser(
                name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0,
                context: .commandLine)
            try await store.addUser(name: "bob", passwordHash: Fixture.hashB, at: Fixture.t0, context: .commandLine)
            try await store.setDisabled(name: "bob", true, at: Fixture.t0, context: .commandLine)
            try await store.openSession(alice, token: "a", at: Fixture.t0)
            let backupPath = directory.file("copy.db")

            try await store.backup(to: backupPath)

            #expect(directory.mode(of: "copy.db") == 0o600)
            let copy = try SQLiteAuthStore.open(path: backupPath)
            let users = try await copy.users()
            let sessions = try await copy.sessions(username: nil)
            let audit = try await copy.allAudit()
            let status = try await copy.migrationStatus()
            await copy.close()
            #expect(users == (try await store.users()))
            #expect(users.map(\.name) == ["alice", "bob"])
            #expect(sessions == (try await store.sessions(username: nil)))
            #expect(audit == (try await store.allAudit()))
            #expect(status == (try await store.migrationStatus()))
            // The copy is independent of the original.
            try await store.deleteUser(name: "alice", at: Fixture.t0, context: .commandLine)
            let reopened = try SQLiteAuthStore.open(path: backupPath)
            #expect(try await reopened.users().map(\.name) == ["alice", "bob"])
            await reopened.close()
        }
    }

    @Test func existingDestinationIsRefusedAndUntouched() async throws {
        try await withStore { store, directory in
            try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: .commandLine)
            let destination = directory.file("precious.db")
            let contents = Data("precious data, not to be overwritten\n".utf8)
            try contents.write(to: URL(fileURLWithPath: destination))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: destination)

            let code = await storeErrorCode { try await store.backup(to: destination) }

            #expect(code == .invalidInput)
            #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == contents)
            #expect(directory.mode(of: "precious.db") == 0o644)
        }
    }

    @Test func destinationInAMissingDirectoryFails() async throws {
        try await withStore { store, directory in
            let code = await storeErrorCode { try await store.backup(to: directory.file("missing/copy.db")) }
            #expect(code != nil)
            #expect(!directory.exists("missing"))
        }
    }

    @Test func backupWhileWritesGoOnIsConsistent() async throws {
        try await withStore { store, directory in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await store.recordAudit(
                            .failure(
                                .verify, .badToken, username: "u\(index)",
                                context: Fixture.context), at: Fixture.t0)
                    }
                }
                group.addTask { try await store.backup(to: directory.file("copy.db")) }
                try await group.waitForAll()
            }
            let copy = try SQLiteAuthStore.open(path: directory.file("copy.db"))
            let records = try await copy.allAudit()
            await copy.close()
            // Some prefix of the log, and an unbroken chain.
            #expect(records.map(\.id) == Array(stride(from: 1, through: Int64(records.count), by: 1)))
            var previous = AuditChain.genesis
            for record in records {
                #expect(
                    record.hash
                        == AuditChain.hash(
                            previous: previous, id: record.id, time: record.time,
                            entry: record.entry))
                previous = record.hash
            }
        }
    }
}
