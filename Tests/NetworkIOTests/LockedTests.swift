import Foundation
import Locking
import NetworkIO
import Testing

/// `Locked`, the package's lock: it excludes, it hands back what the body returns or throws, and
/// taking it again inside its own body stops the program instead of hanging.
@Suite struct LockedTests {
    /// Eight threads add to one counter 20,000 times each. Without the lock, increments are lost
    /// (and ThreadSanitizer, under scripts/sanitize.sh thread, reports the race).
    @Test func threadsAddingUnderTheLockLoseNoIncrement() {
        let counter = Locked(0)
        let threads = 8, additions = 20_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<additions { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == threads * additions)
    }

    struct Refused: Error, Equatable {}

    @Test func theBodysResultAndErrorComeBack() {
        let names = Locked(["ada"])
        #expect(names.withLock { names -> Int in names.append("grace"); return names.count } == 2)
        #expect(throws: Refused.self) { try names.withLock { _ throws(Refused) in throw Refused() } }
        #expect(names.withLock { $0 } == ["ada", "grace"])
    }

    @Test func takingTheLockInsideItsOwnBodyStopsTheProgram() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let lock = Locked(0)
            lock.withLock { _ in _ = lock.withLock { $0 } }
        }
        #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("Locked.withLock called inside its own body"))
    }
}
