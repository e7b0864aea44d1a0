import Locking
import NetworkIO

/// The client's outcome of each message, by number, as sends finish on any thread.
final class OutcomeLog: Sendable {
    private let outcomes: Locked<[SoakReport.Outcome]>

    init(count: Int) {
        outcomes = Locked(Array(repeating: .notSent, count: count))
    }

    func record(_ outcome: SoakReport.Outcome, for number: Int) {
        outcomes.withLock { $0[number] = outcome }
    }

    var all: [SoakReport.Outcome] { outcomes.withLock { $0 } }
}

/// The join of what the client reported with what the server kept, by message number.
struct SoakReport {
    enum Outcome: UInt8 {
        case notSent = 0, delivered, failed, unknown
    }

    var sent = 0
    var delivered = 0
    var failed = 0
    var unknown = 0
    /// Unknown outcomes the server had in fact kept.
    var unknownKept = 0
    /// Delivered, yet the server never kept it.
    var lost = 0
    /// Kept more than once.
    var duplicates = 0
    /// Failed, yet the server kept it.
    var failedButKept = 0
    /// Whose body began to arrive more than once.
    var bodiesSentTwice = 0
    var messageIDMismatches = 0

    init(outcomes: [Outcome], ledger: SoakLedger) {
        let (bodies, kept, mismatches) = ledger.snapshot()
        messageIDMismatches = mismatches
        for (number, outcome) in outcomes.enumerated() {
            if kept[number] > 1 { duplicates += 1 }
            if bodies[number] > 1 { bodiesSentTwice += 1 }
            switch outcome {
            case .notSent: continue
            case .delivered:
                delivered += 1
                if kept[number] == 0 { lost += 1 }
            case .failed:
                failed += 1
                if kept[number] > 0 { failedButKept += 1 }
            case .unknown:
                unknown += 1
                if kept[number] > 0 { unknownKept += 1 }
            }
            sent += 1
        }
    }

    /// Nothing lost, nothing twice, nothing kept that was reported failed.
    var isClean: Bool {
        lost == 0 && duplicates == 0 && failedButKept == 0 && bodiesSentTwice == 0 && messageIDMismatches == 0
    }
}
