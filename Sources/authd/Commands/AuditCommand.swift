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
            let records = try await withStore(database) { try await $0.queryAudit(query) }
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
            abstract: "Check the hash chain; exit 1 naming the first bad row.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let progress = ProgressReporter()
            let result = try await withStore(database) { store in
                try await store.verifyAuditChain { checked, total in progress.report(checked, of: total) }
            }
            progress.finish()
            switch result.failure {
            case nil:
                print(
                    "audit chain intact: \(result.checked) rows, head \(result.headHash), "
                        + "time order checked from row \(result.orderCheckedFrom)")
            case .brokenChain(let id):
                throw CommandFailure("audit chain broken at row \(id) (\(result.checked) rows before it verified)")
            case .timeGoesBackwards(let id):
                throw CommandFailure(
                    "audit time goes backwards at row \(id) (\(result.checked) rows before it verified)")
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete rows older than --before, keeping the chain verifiable; the prune is audited.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Delete rows before this time: ISO 8601 or a duration ago like 90d.")
        var before: String

        func run() async throws {
            let cutoff = try TimeParser.require(before, option: "--before")
            let result = try await withStore(database) {
                try await $0.pruneAudit(before: cutoff, batchSize: 10_000, at: .now(), context: .commandLine)
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
