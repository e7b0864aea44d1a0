import ConnectorKit
import Locking

/// Counts the sends in flight so ``SMTPConnector/shutdown()`` can refuse new ones at once and wait
/// for the rest.
final class InFlightSends: Sendable {
    private struct State {
        var count = 0
        var isShutDown = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())

    /// Whether shutdown started.
    var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Registers a send, or throws once the connector is shut down.
    func enter() throws {
        let refused = state.withLock { state -> Bool in
            guard !state.isShutDown else { return true }
            state.count += 1
            return false
        }
        if refused {
            throw ConnectorError(.shutDown, "The connector has been shut down; nothing was sent.",
                                 hint: "Sends are refused after shutdown(); build a new connector to send again.")
        }
    }

    /// A send is over.
    func leave() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.drained = [] }
            return state.drained
        }
        waiting.forEach { $0.resume() }
    }

    /// Refuses new sends and returns once those in flight are over.
    func shutDown() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                state.isShutDown = true
                if state.count == 0 { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
