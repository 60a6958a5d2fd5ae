import AuthStore
import Synchronization

/// A real store whose next `importedPasswordHashes()` can be held at a gate, so a test can
/// act while the cost floor's read of the store is under way. Every other call, and every
/// later read, passes through.
final class GatedUserStore: UserStore {
    let base: any UserStore
    /// One element each time a read of the imported hashes begins, held or not.
    let readsBegun: AsyncStream<Void>
    private let began: AsyncStream<Void>.Continuation
    private struct Gate {
        var holdsNext = false
        var held: CheckedContinuation<Void, Never>?
        var reads = 0
    }
    private let gate = Mutex(Gate())

    init(_ base: any UserStore) {
        self.base = base
        (readsBegun, began) = AsyncStream.makeStream()
    }

    /// Reads of the imported hashes begun so far.
    var reads: Int { gate.withLock { $0.reads } }

    /// Holds the next read that begins, until ``release()``.
    func holdNextRead() {
        gate.withLock { $0.holdsNext = true }
    }

    /// Lets the held read go on.
    func release() {
        gate.withLock { gate in
            defer { gate.held = nil }
            return gate.held
        }?.resume()
    }

    func importedPasswordHashes() async throws -> [String] {
        await withCheckedContinuation { read in
            let passes = gate.withLock { gate in
                gate.reads += 1
                guard gate.holdsNext else { return true }
                gate.holdsNext = false
                gate.held = read
                return false
            }
            began.yield()
            if passes { read.resume() }
        }
        return try await base.importedPasswordHashes()
    }

    func userCount() async throws -> Int { try await base.userCount() }
    func user(named name: String) async throws -> User? { try await base.user(named: name) }
    func users() async throws -> [User] { try await base.users() }
    func maxPasswordIterations() async throws -> Int? { try await base.maxPasswordIterations() }
    func addUser(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws -> User {
        try await base.addUser(name: name, passwordHash: passwordHash, at: time, context: context)
    }
    func changePassword(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws {
        try await base.changePassword(name: name, passwordHash: passwordHash, at: time, context: context)
    }
    func setDisabled(name: String, _ disabled: Bool, at time: Timestamp, context: AuditContext) async throws {
        try await base.setDisabled(name: name, disabled, at: time, context: context)
    }
    func deleteUser(name: String, at time: Timestamp, context: AuditContext) async throws {
        try await base.deleteUser(name: name, at: time, context: context)
    }
    func importUsers(_ users: [ImportedUser], at time: Timestamp, context: AuditContext) async throws {
        try await base.importUsers(users, at: time, context: context)
    }
}
