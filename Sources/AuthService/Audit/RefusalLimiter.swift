import AuthStore
import Synchronization

/// Decides which refused requests get an audit row of their own and sums the rest, so
/// that anonymous traffic cannot make authd write without bound.
///
/// A refusal that checked no secret (malformed request, unknown or expired token,
/// throttled attempt, full hashing queue) is first offered to ``admit(_:at:)``: within
/// the policy's bounds it is written as a row of its own; past them it is added to its
/// kind's sum for the current window. ``takeSummaries(at:final:)`` hands out one entry per
/// kind and ended window, carrying the count, for ``RefusalAuditor`` to write. Every
/// refusal is either a row or part of exactly one sum.
///
/// Memory is bounded too: per kind, addresses are remembered only while rows of their own
/// are still being given out, so at most `overall` of them.
final class RefusalLimiter: Sendable {
    let policy: RefusalAuditPolicy
    private let state = Mutex(State())

    private struct Kind: Hashable {
        let event: AuditEvent
        let reason: AuditReason?
    }

    private struct Tally {
        var rows = 0
        var rowsByAddress: [String: Int] = [:]
        var summed = 0
        /// Where the summed refusals came from: the sum keeps the address only when it is one.
        var summedFrom = Source.none
    }

    private enum Source {
        case none
        case one(String)
        case several

        mutating func add(_ address: String) {
            switch self {
            case .none: self = .one(address)
            case .one(let known) where known == address: break
            default: self = .several
            }
        }

        var address: String {
            if case .one(let address) = self { return address }
            return ""
        }
    }

    private struct State {
        var window = Int64.min
        var tallies: [Kind: Tally] = [:]
        /// Sums of ended windows not yet handed out.
        var ended: [AuditEntry] = []
        /// After the final summary: nothing is summed any more, every refusal is a row.
        var closed = false
    }

    init(policy: RefusalAuditPolicy) {
        self.policy = policy
    }

    /// Whether `entry` gets a row of its own; if not, it has been added to its kind's sum.
    func admit(_ entry: AuditEntry, at now: Timestamp) -> Bool {
        let kind = Kind(event: entry.event, reason: entry.reason)
        let group = IPAddress.group(entry.context.address)
        return state.withLock { state in
            guard !state.closed else { return true }
            roll(&state, to: now)
            var tally = state.tallies[kind, default: Tally()]
            defer { state.tallies[kind] = tally }
            if tally.rows < policy.overall, tally.rowsByAddress[group, default: 0] < policy.perAddress {
                tally.rows += 1
                tally.rowsByAddress[group, default: 0] += 1
                if tally.rows == policy.overall { tally.rowsByAddress = [:] }
                return true
            }
            tally.summed += 1
            tally.summedFrom.add(entry.context.address)
            return false
        }
    }

    /// The summed entries of every window that has ended by `now`, or of every window
    /// including the current one when `final` (shutdown); after a final call every
    /// refusal gets a row of its own.
    func takeSummaries(at now: Timestamp, final: Bool = false) -> [AuditEntry] {
        state.withLock { state in
            roll(&state, to: now)
            if final {
                closeWindow(&state)
                state.closed = true
            }
            defer { state.ended = [] }
            return state.ended
        }
    }

    /// Moves to the window holding `now`; never back, so a clock stepping back cannot
    /// reopen a window whose sums were handed out.
    private func roll(_ state: inout State, to now: Timestamp) {
        let length = max(policy.window.wholeMicroseconds, 1)
        let window = now.microseconds / length
        guard window > state.window else { return }
        closeWindow(&state)
        state.window = window
    }

    private func closeWindow(_ state: inout State) {
        // Sorted so that the rows of one window are written in a stable order.
        let sums = state.tallies.filter { $0.value.summed > 0 }.sorted {
            ($0.key.event.rawValue, $0.key.reason?.rawValue ?? "") < ($1.key.event.rawValue, $1.key.reason?.rawValue ?? "")
        }
        for (kind, tally) in sums {
            var entry = AuditEntry(
                event: kind.event, outcome: .failure, reason: kind.reason,
                context: AuditContext(address: tally.summedFrom.address))
            entry.count = tally.summed
            state.ended.append(entry)
        }
        state.tallies = [:]
    }
}
