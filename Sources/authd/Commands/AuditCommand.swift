import ArgumentParser
import AuthStore

/// `authd audit …`: query, verify and prune the audit trail.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Query (default), verify or prune the audit trail.",
        subcommands: [Query.self, Verify.self, Prune.self],
        defaultSubcommand: Query.self
    )
}

extension AuditEvent: ExpressibleByArgument {}
extension AuditOutcome: ExpressibleByArgument {}

extension AuditCommand {
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query", abstract: "Show audit rows, newest first. Times are UTC.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this username.")
        var user: String?
        @Option(
            help: "Only this event; repeatable. One of: \(AuditEvent.allCases.map(\.rawValue).joined(separator: ", "))."
        )
        var event: [AuditEvent] = []
        @Option(help: "success or failure.")
        var outcome: AuditOutcome?
        @Option(help: "From this time: ISO 8601 or a duration ago like 24h.")
        var since: String?
        @Option(help: "Before this time: ISO 8601 or a duration ago.")
        var until: String?
        @Option(help: "Only this client address.")
        var address: String?
        @Option(help: "At most this many rows.")
        var limit = 100
        @Option(help: "table, json or csv.")
        var format: OutputFormat = .table

        func validate() throws {
            guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        }

        func run() async throws {
            let query = AuditQuery(
                username: user, events: event, outcome: outcome,
                since: try since.map { try TimeParser.require($0, option: "--since") },
                until: try until.map { try TimeParser.require($0, option: "--until") },
                address: address, limit: limit)
            let records = try await withStore(database, .read, lookup: try database.lookup()) {
                try await $0.queryAudit(query)
            }
            // count and detail came last (migration 0004): appended, so scripts reading CSV
            // columns by position keep working.
            let columns = [
                "id", "time", "event", "outcome", "reason", "username", "session", "address", "user_agent",
                "request_id", "count", "detail",
            ]
            let rows = records.map { record in
                let entry = record.entry
                return [
                    String(record.id), record.time.iso8601, entry.event.rawValue, entry.outcome.rawValue,
                    entry.reason?.rawValue ?? "", entry.username, entry.session, entry.context.address,
                    entry.context.userAgent, entry.context.requestID, String(entry.count), entry.detail,
                ]
            }
            print(format.render(columns: columns, rows: rows, numericColumns: ["id", "count"]), terminator: "")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain; exit 1 naming the first bad row.",
            discussion: """
                Prints the anchor (the last pruned row) and the head (the newest row) as ID:HASH. \
                Keep the head somewhere else after each run and pass it to --expect next time: \
                a rewritten or truncated log then fails.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(
            name: .customLong("expect"),
            help: ArgumentHelp(
                "A row recorded earlier, as ID:HASH; it must still be in the chain with that hash, or have "
                    + "been removed by a recorded prune. Repeatable.", valueName: "ID:HASH"),
            transform: { text in
                guard let point = AuditChainPoint(text) else {
                    throw ValidationError("--expect wants ID:HASH (a row id and 64 hex digits), got '\(text)'")
                }
                return point
            })
        var expected: [AuditChainPoint] = []

        func run() async throws {
            let progress = ProgressReporter()
            let result = try await withStore(database, .read, lookup: try database.lookup()) { store in
                try await store.verifyAuditChain(expecting: expected) { checked, total in
                    progress.report(checked, of: total)
                }
            }
            progress.finish()
            switch result.failure {
            case nil:
                break
            case .brokenChain(let id):
                throw CommandFailure("audit chain broken at row \(id) (\(result.checked) rows before it verified)")
            case .timeGoesBackwards(let id):
                throw CommandFailure(
                    "audit time goes backwards at row \(id) (\(result.checked) rows before it verified)")
            case .unrecordedPrune(let id):
                throw CommandFailure(
                    "audit log truncated: rows up to \(id) are gone but no prune recorded in the chain removed them"
                        + " (anchor \(result.anchor?.description ?? "none"))")
            }
            for check in result.expectations where !check.outcome.holds {
                throw CommandFailure(Self.failure(check, result))
            }
            print(
                "audit chain intact: \(result.checked) rows, time order checked from row \(result.orderCheckedFrom)")
            print("anchor \(result.anchor?.description ?? "none")\(Self.explanation(result))")
            print("head \(result.head?.description ?? "none")")
            for check in result.expectations {
                print("expect \(check.expected): \(Self.found(check.outcome))")
            }
        }

        /// Why the anchor is where it is, after the anchor on its line.
        static func explanation(_ result: AuditVerification) -> String {
            switch result.anchorRecord {
            case .neverPruned:
                return " (never pruned)"
            case .recorded(let row, let range) where result.isUnfinished:
                return " (unfinished: the prune recorded at row \(row) removes rows \(range.first)-\(range.last); "
                    + "run authd audit prune again to finish)"
            case .recorded(let row, let range):
                return " (recorded: the prune at row \(row) removed rows up to \(range.last))"
            case .unprovable(let row):
                return " (not provable: the newest prune, row \(row), was made by an authd before migration 0004 "
                    + "and recorded no range)"
            case .unrecorded:
                return ""
            }
        }

        static func found(_ outcome: AuditExpectationOutcome) -> String {
            switch outcome {
            case .present: "in the chain"
            case .anchor: "the anchor"
            case .pruned(let row): "pruned (recorded by the prune at row \(row))"
            case .hashDiffers(let found): "hash differs (found \(found))"
            case .missing: "missing"
            }
        }

        /// The one line for an expectation that does not hold.
        static func failure(_ check: AuditExpectationCheck, _ result: AuditVerification) -> String {
            let id = check.expected.id
            switch check.outcome {
            case .hashDiffers(let found):
                return
                    "audit row \(id) has hash \(found), not the expected \(check.expected.hash): the log was rewritten"
            default:
                guard let anchor = result.anchor, id <= anchor.id else {
                    return "audit row \(id) is missing: the log ends at row \(result.head?.id ?? 0)"
                }
                if case .unprovable(let row) = result.anchorRecord {
                    return "audit row \(id) is missing: it is at or below the anchor (row \(anchor.id)) and "
                        + "the newest prune (row \(row)) was made by an authd before migration 0004, so nothing "
                        + "records that a prune removed it"
                }
                return "audit row \(id) is missing: it is at or below the anchor (row \(anchor.id)) "
                    + "but no prune recorded in the chain removed it"
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete rows older than --before, keeping the chain verifiable; the prune is audited.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Delete rows before this time: ISO 8601 or a duration ago like 90d.")
        var before: String
        /// Rows deleted per transaction. Hidden: for tests that interrupt a prune between
        /// batches; operators have no reason to change it.
        @Option(help: .hidden)
        var batchSize = 10_000

        func validate() throws {
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be 1 or more") }
        }

        func run() async throws {
            let cutoff = try TimeParser.require(before, option: "--before")
            let result = try await withStore(database, .change, lookup: try database.lookup()) {
                try await $0.pruneAudit(before: cutoff, batchSize: batchSize, at: .now(), context: .commandLine)
            }
            print("pruned \(result.deleted) audit row\(result.deleted == 1 ? "" : "s") before \(cutoff.iso8601)")
            if result.keptOlder > 0, let id = result.firstKeptID, let time = result.firstKeptTime {
                // Not an error: the chain can only lose a prefix, so the operator learns why.
                print(
                    "kept \(result.keptOlder) row\(result.keptOlder == 1 ? "" : "s") before \(cutoff.iso8601): "
                        + "row \(id) (\(time.iso8601)) is not before it, and only the oldest rows can be removed")
            }
        }
    }
}
