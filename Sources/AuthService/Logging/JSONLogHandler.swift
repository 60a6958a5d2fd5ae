import AuthStore
import Foundation
import Logging

/// swift-log handler writing one JSON object per line to stderr, for journald and log
/// shippers: `time` (UTC ISO 8601), `level`, `message`, `label`, then the metadata fields
/// (the request id as `request_id`).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var line = "{\"time\":\(WireBody.quoted(Timestamp.now().iso8601))"
        line += ",\"level\":\(WireBody.quoted(event.level.rawValue))"
        line += ",\"message\":\(WireBody.quoted(event.message.description))"
        line += ",\"label\":\(WireBody.quoted(label))"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            let name = key == "hb.request.id" ? "request_id" : key
            line += ",\(WireBody.quoted(name)):\(WireBody.quoted(value.description))"
        }
        write(line + "}\n")
    }
}
