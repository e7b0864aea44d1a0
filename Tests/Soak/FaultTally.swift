import Locking
import NetworkIO

/// How many of each fault the server acted out, by step, to show the run was hostile.
final class FaultTally: Sendable {
    private let counts = Locked<[String: Int]>([:])

    func count(_ fault: SoakFault, at step: SoakStep) {
        counts.withLock { $0["\(fault) at \(step)", default: 0] += 1 }
    }

    func count(_ name: String) {
        counts.withLock { $0[name, default: 0] += 1 }
    }

    /// One line per kind, sorted.
    var lines: [String] {
        counts.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
    }

    /// All faults together.
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}
