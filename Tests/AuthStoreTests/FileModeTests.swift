import Foundation
import Testing

@testable import AuthStore

/// An existing database that others can read (copied in, restored with 0644) must not stay
/// so, nor hand its mode to the `-wal` and `-shm` SQLite creates beside it.
@Suite struct FileModeTests {
    static let names = ["auth.db", "auth.db-wal", "auth.db-shm"]

    /// A migrated database with its `-wal` and `-shm` present (a connection holds them open)
    /// and all three 0644, as a copy made under umask 022 would be.
    func exposedDatabase(_ directory: TemporaryDirectory) async throws -> SQLiteConnection {
        let path = directory.file("auth.db")
        await (try SQLiteAuthStore.open(path: path)).close()
        let holder = try SQLiteConnection(path: path)
        for name in Self.names {
            try #require(directory.exists(name), "\(name) should exist while a connection is open")
            try #require(chmod(directory.file(name), 0o644) == 0)
        }
        return holder
    }

    @Test(arguments: [SQLiteAuthStore.OpenMode.readOnly, .readWrite(create: false), .readWrite(create: true)])
    func everyOpenMakesTheFilesPrivate(mode: SQLiteAuthStore.OpenMode) async throws {
        try await withTemporaryDirectory { directory in
            let holder = try await exposedDatabase(directory)
            defer { holder.close() }
            let store = try SQLiteAuthStore.open(path: directory.file("auth.db"), mode: mode)
            await store.close()
            #expect(Self.names.map { directory.mode(of: $0) } == [0o600, 0o600, 0o600])
            #expect(
                store.fileModeChanges
                    == Self.names.map { FileModeChange(path: directory.file($0), oldMode: 0o644, newMode: 0o600) })
            #expect(
                store.fileModeChanges.first?.description
                    == "\(directory.file("auth.db")) was readable by group or others (mode 0644); changed to 0600")
        }
    }

    @Test func ownerBitsAreKeptAndPrivateFilesLeftAlone() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("auth.db")
            await (try SQLiteAuthStore.open(path: path)).close()
            let fresh = try SQLiteAuthStore.open(path: path)
            await fresh.close()
            #expect(fresh.fileModeChanges.isEmpty)
            #expect(chmod(path, 0o740) == 0)
            let store = try SQLiteAuthStore.open(path: path, mode: .readOnly)
            await store.close()
            #expect(store.fileModeChanges == [FileModeChange(path: path, oldMode: 0o740, newMode: 0o700)])
            #expect(directory.mode(of: "auth.db") == 0o700)
        }
    }

    /// Someone else's file: chmod fails with EPERM (a test running as root cannot meet one,
    /// so the failure is injected). The store refuses to open, naming the file and its mode.
    @Test func aFileThatCannotBeMadePrivateIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let holder = try await exposedDatabase(directory)
            defer { holder.close() }
            let refuse: (String, mode_t) -> Int32 = { _, _ in
                errno = EPERM
                return -1
            }
            let path = directory.file("auth.db")
            #expect {
                try PrivateFileModes.tighten(PrivateFileModes.files(of: path), changeMode: refuse)
            } throws: { error in
                let error = error as? StoreError
                return error?.code == .unsafePermissions
                    && error?.description
                        == "\(path) is readable by group or others (mode 0644) and cannot be made private "
                        + "(Operation not permitted); run chmod 600 on it as its owner"
            }
            #expect(directory.mode(of: "auth.db") == 0o644)
        }
    }
}
