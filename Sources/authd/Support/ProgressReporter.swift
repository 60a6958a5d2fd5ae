import Foundation
import Synchronization

/// A progress line on stderr for long runs only: silent for the first two seconds, so
/// quick commands print nothing extra.
final class ProgressReporter: Sendable {
    private let start = ContinuousClock.now
    private let shown = Atomic<Bool>(false)

    func report(_ done: Int, of total: Int) {
        guard ContinuousClock.now - start > .seconds(2) else { return }
        shown.store(true, ordering: .relaxed)
        let percent = total > 0 ? done * 100 / total : 100
        FileHandle.standardError.write(Data("\rverifying: \(done)/\(total) rows (\(percent)%)".utf8))
    }

    func finish() {
        if shown.load(ordering: .relaxed) { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
