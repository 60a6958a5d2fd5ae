import NIOCore
import PostgresNIO

/// Column access by position, as the SQLite side reads its rows, so row mapping reads the
/// same on both engines. A column of an unexpected type is a programming error in the
/// query beside it, not bad input: it traps with the column's position.
struct PostgresRowReader {
    private let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    private func decode<T: PostgresDecodable>(_ index: Int, _ type: T.Type) -> T {
        do {
            return try row[index].decode(T.self)
        } catch {
            preconditionFailure("column \(index) is not \(T.self): \(error)")
        }
    }

    func isNull(_ index: Int) -> Bool { row[index].bytes == nil }
    func int64(_ index: Int) -> Int64 { decode(index, Int64.self) }
    func int(_ index: Int) -> Int { Int(int64(index)) }
    func string(_ index: Int) -> String { decode(index, String.self) }
    func bool(_ index: Int) -> Bool { decode(index, Bool.self) }
    func bytes(_ index: Int) -> [UInt8] {
        let buffer = decode(index, ByteBuffer.self)
        return Array(buffer.readableBytesView)
    }
}
