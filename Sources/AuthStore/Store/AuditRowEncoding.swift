/// A text field of an audit row, as the row hash reads it.
enum AuditTextField {
    case event, outcome, reason, username, session, address, userAgent, requestID, detail
}

/// An audit row as its hash reads it, wherever the row is held: an ``AuditEntry`` about to be
/// written, or a stored row read in place from a statement (`audit verify`). Both feed the one
/// ``AuditRowEncoder``, so there is a single definition of the bytes a row hash covers.
protocol AuditHashedFields {
    var id: Int64 { get }
    /// The row's time in Unix microseconds.
    var microseconds: Int64 { get }
    var count: Int64 { get }
    /// Calls `body` with the UTF-8 bytes of `field`; the bytes are valid only inside `body`.
    func withUTF8<R>(_ field: AuditTextField, _ body: (UnsafeRawBufferPointer) -> R) -> R
}

/// Hashes audit rows as ``AuditChain/hash(previous:id:time:entry:)`` defines, writing each
/// row's bytes into one buffer and digesting them on one OpenSSL context, both reused row
/// after row: hashing a long log allocates nothing per row.
///
/// The layout: the previous row's hash, then each field as a 4-byte big-endian byte length
/// and its UTF-8 bytes: id and time (decimal), event, outcome, reason (empty if none),
/// username, session, address, user agent, request id; then count (decimal) and detail, both
/// and only when either differs from its default (1 and empty). This is the on-disk format
/// of the chain: it must never change (`AuditChainTests.hashEncodingIsPinned`).
///
/// Not thread-safe: one hasher serves one walk (or one write) at a time.
final class AuditRowHasher {
    /// Grows to the longest row seen, never shrinks.
    private var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 1)
    private let sha256 = SHA256.Hasher()

    deinit {
        buffer.deallocate()
    }

    /// The hash of `row` chained to `previous`.
    func hash(previous: [UInt8], _ row: some AuditHashedFields) -> SHA256.Digest {
        // Encoded through a local writer: appending to a class property would pay Swift's
        // run-time exclusivity check on every field.
        var writer = ByteWriter(buffer: buffer)
        previous.withUnsafeBytes { writer.append($0) }
        Self.encode(row, into: &writer)
        buffer = writer.buffer
        return sha256.digest(UnsafeRawBufferPointer(rebasing: writer.buffer[..<writer.count]))
    }

    private static func encode(_ row: some AuditHashedFields, into writer: inout ByteWriter) {
        writer.appendField(decimal: row.id)
        writer.appendField(decimal: row.microseconds)
        row.withUTF8(.event) { writer.appendField($0) }
        row.withUTF8(.outcome) { writer.appendField($0) }
        row.withUTF8(.reason) { writer.appendField($0) }
        row.withUTF8(.username) { writer.appendField($0) }
        row.withUTF8(.session) { writer.appendField($0) }
        row.withUTF8(.address) { writer.appendField($0) }
        row.withUTF8(.userAgent) { writer.appendField($0) }
        row.withUTF8(.requestID) { writer.appendField($0) }
        // Both or neither (see AuditChain.hash): a count of "5" must not encode like a
        // detail of "5".
        if row.count != 1 || row.withUTF8(.detail, { !$0.isEmpty }) {
            writer.appendField(decimal: row.count)
            row.withUTF8(.detail) { writer.appendField($0) }
        }
    }
}

/// Appends to a raw buffer, moving it to one twice the size when full.
private struct ByteWriter {
    private(set) var buffer: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        copy(bytes)
    }

    /// `field` preceded by its length, 4 bytes big-endian.
    mutating func appendField(_ field: UnsafeRawBufferPointer) {
        reserve(4 + field.count)
        buffer.storeBytes(of: UInt32(field.count).bigEndian, toByteOffset: count, as: UInt32.self)
        count += 4
        copy(field)
    }

    /// Copies `bytes` to the end; there is room.
    private mutating func copy(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        (buffer.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// `String(value)`'s bytes as a field, written without making the `String`.
    mutating func appendField(decimal value: Int64) {
        // 20 bytes hold the longest, "-9223372036854775808"; written backwards from the end.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { digits in
            var magnitude = value.magnitude
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            appendField(UnsafeRawBufferPointer(rebasing: digits[start..<20]))
        }
    }

    @inline(__always)
    private mutating func reserve(_ more: Int) {
        if count + more > buffer.count { grow(to: count + more) }
    }

    private mutating func grow(to needed: Int) {
        let grown = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(buffer.count * 2, needed), alignment: 1)
        grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: count)
        buffer.deallocate()
        buffer = grown
    }
}

extension AuditEntry {
    /// Calls `body` with the UTF-8 bytes of `field` as the row hash covers them.
    func withUTF8<R>(_ field: AuditTextField, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var text: String
        switch field {
        case .event: text = event.rawValue
        case .outcome: text = outcome.rawValue
        case .reason: text = reason?.rawValue ?? ""
        case .username: text = username
        case .session: text = session
        case .address: text = context.address
        case .userAgent: text = context.userAgent
        case .requestID: text = context.requestID
        case .detail: text = detail
        }
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

/// An entry about to be written, with the id and time the writer chose for it.
struct AuditEntryFields: AuditHashedFields {
    let id: Int64
    let time: Timestamp
    let entry: AuditEntry

    var microseconds: Int64 { time.microseconds }
    var count: Int64 { Int64(entry.count) }

    func withUTF8<R>(_ field: AuditTextField, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        entry.withUTF8(field, body)
    }
}
