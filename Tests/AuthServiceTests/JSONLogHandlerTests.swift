import Foundation
import Logging
import Synchronization
import Testing

@testable import AuthService

@Suite struct JSONLogHandlerTests {
    @Test func eachEventIsOneParseableJSONLine() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "authd") { label in
            JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "hb.request.id"] = "abc123"
        logger.info("request", metadata: ["status": "200", "path": "/x\"y\n"])
        let captured = lines.withLock { $0 }
        #expect(captured.count == 1)
        let line = try #require(captured.first)
        #expect(line.hasSuffix("}\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "request")
        #expect(object["level"] == "info")
        #expect(object["request_id"] == "abc123")
        #expect(object["path"] == "/x\"y\n")
        #expect(try #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/#.wholeMatch(in: object["time"] ?? "") != nil)
    }
}
