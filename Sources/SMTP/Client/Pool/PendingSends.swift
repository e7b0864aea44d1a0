import NetworkIO

/// What a pooled send came to.
enum PooledResult: Sendable {
    case delivered(SMTPSendResult)
    /// `retryable`: it failed on a reused connection the server had dropped, before any of its
    /// data was written, so it may go once more on a connection known to be alive.
    case failed(SMTPError, retryable: Bool)
}

/// One send handed to an ``SMTPPool``: waiting in the queue, or on a connection.
struct PendingSend: Sendable {
    let id: Int
    let envelope: SMTPEnvelope
    let message: [UInt8]
    /// A second try after a dropped connection: it goes only on a connection known to be alive
    /// (a new one, one that just delivered, or an idle one that answered NOOP).
    let isRetry: Bool
    let continuation: UnsafeContinuation<PooledResult, Never>
}

/// The sends of an ``SMTPPool`` that wait for a connection, oldest first, and the cancellation of
/// every send the pool holds.
///
/// A connection that finishes a message takes the next one from here on its executor thread,
/// without a round trip through async code; under load this saves two thread hand-offs per
/// message. Each send is resumed exactly once, through ``complete(_:with:)``.
///
/// A send's life: ``register()``, then queued (``enqueue(_:atFront:)``) or handed to a connection
/// directly, then ``start(_:on:)`` binds it to the connection's token, then ``complete(_:with:)``.
/// ``cancel(_:)`` may land at any point: a queued send ends at once, a started one cancels its
/// connection's token, and one in between is refused by ``start(_:on:)``.
final class PendingSends: Sendable {
    private struct State {
        var queue = FIFOQueue<PendingSend>()
        var nextID = 0
        /// Registered and not yet completed.
        var live: Set<Int> = []
        /// Cancelled while not queued: between hand-over and start, or while running (a send
        /// put back in the queue after a failed health check must not go out again).
        var cancelled: Set<Int> = []
        /// The token of the connection each started send is on.
        var running: [Int: CancellationToken] = [:]
    }

    private let state = Locked(State())

    /// Sends waiting for a connection.
    var count: Int { state.withLock { $0.queue.count } }

    /// A new send's id.
    func register() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            state.live.insert(state.nextID)
            return state.nextID
        }
    }

    /// Queues `send` (at the front when it goes back after its connection failed a health check).
    func enqueue(_ send: PendingSend, atFront: Bool = false) {
        let wasCancelled = state.withLock { state -> Bool in
            state.running[send.id] = nil
            if state.cancelled.contains(send.id) { return true }
            if atFront {
                state.queue.prepend(send)
            } else {
                state.queue.append(send)
            }
            return false
        }
        if wasCancelled { complete(send, with: .failed(Self.cancelledWhileWaiting, retryable: false)) }
    }

    /// The oldest waiting send.
    func take() -> PendingSend? {
        state.withLock { $0.queue.popFirst() }
    }

    /// Binds `id` to the connection `token` belongs to, so that cancelling the send cancels the
    /// connection; false when the send was cancelled before it got there.
    func start(_ id: Int, on token: CancellationToken) -> Bool {
        state.withLock { state in
            guard !state.cancelled.contains(id) else { return false }
            state.running[id] = token
            return true
        }
    }

    /// Cancels a send wherever it is. A running send's connection is cancelled under the lock, so
    /// the cancellation cannot reach a later send that the connection took meanwhile.
    func cancel(_ id: Int) {
        let queued = state.withLock { state -> PendingSend? in
            if let send = state.queue.remove(firstWhere: { $0.id == id }) { return send }
            guard state.live.contains(id) else { return nil }  // already completed
            state.cancelled.insert(id)
            state.running[id]?.cancel()
            return nil
        }
        if let queued { complete(queued, with: .failed(Self.cancelledWhileWaiting, retryable: false)) }
    }

    /// Resumes the sender with `result`; every send comes here exactly once.
    func complete(_ send: PendingSend, with result: PooledResult) {
        state.withLock { state in
            state.live.remove(send.id)
            state.cancelled.remove(send.id)
            state.running[send.id] = nil
        }
        send.continuation.resume(returning: result)
    }

    /// Ends every waiting send with `error`.
    func failAll(_ error: SMTPError) {
        let waiting = state.withLock { $0.queue.removeAll() }
        for send in waiting { complete(send, with: .failed(error, retryable: false)) }
    }

    static let cancelledWhileWaiting = SMTPError(.cancelled, phase: .connect, "the send was cancelled while waiting for a connection")
}
