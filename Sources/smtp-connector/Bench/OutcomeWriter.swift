import ConnectorKit
import Foundation
import Locking

/// Streams one JSON line per message to `--outcomes FILE` as the outcomes come, and counts them:
/// nothing is kept per message, so memory stays flat however many messages a run sends.
final class OutcomeWriter: Sendable {
    private struct State {
        var delivered = 0
        var failed = 0
        var buffer = Data()
    }

    private let file: FileHandle?
    private let state = Locked(State())

    /// Writes to `path` when given (created or truncated).
    /// - Throws: when the file cannot be created.
    init(path: String?) throws {
        guard let path else {
            file = nil
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        file = handle
    }

    /// Records one message's outcome: "delivered", "failed" or "unknown".
    func record(messageID: String, outcome: String, reply: String) {
        var line: Data?
        if file != nil {
            let object = ["messageId": messageID, "outcome": outcome, "reply": reply]
            line = (try? JSONEncoder.sorted.encode(object)).map { $0 + Data("\n".utf8) }
        }
        let flush = state.withLock { state -> Data? in
            if outcome == "delivered" { state.delivered += 1 } else { state.failed += 1 }
            guard let line else { return nil }
            state.buffer += line
            guard state.buffer.count >= 64 * 1024 else { return nil }
            defer { state.buffer = Data() }
            return state.buffer
        }
        if let flush { file?.write(flush) }
    }

    /// Messages delivered and not delivered (failed or unknown) so far.
    var counts: (delivered: Int, errors: Int) { state.withLock { ($0.delivered, $0.failed) } }

    /// Writes what is buffered and closes the file.
    func close() {
        let rest = state.withLock { state -> Data in
            defer { state.buffer = Data() }
            return state.buffer
        }
        file?.write(rest)
        try? file?.close()
    }
}
