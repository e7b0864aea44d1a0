import Dispatch
import Locking

/// Carries a cancellation from any thread to the blocking work of one connection: the socket
/// being connected, read or written is shut down, and a wait for name resolution ends, at once.
///
/// Cancellation may come before the socket exists, while it is in use, or after: the token
/// remembers it, and a socket registered after cancellation is shut down on the spot.
public final class CancellationToken: Sendable {
    private struct State {
        var cancelled = false
        var socket: TCPSocket?
        var wakers: [DispatchSemaphore] = []
    }

    private let state = Locked(State())

    /// A token not yet cancelled.
    public init() {}

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Cancels: shuts down the registered socket and wakes whoever waits. Safe from any thread.
    public func cancel() {
        let (socket, wakers) = state.withLock { state -> (TCPSocket?, [DispatchSemaphore]) in
            state.cancelled = true
            defer { state.wakers = [] }
            return (state.socket, state.wakers)
        }
        socket?.shutdown()
        wakers.forEach { $0.signal() }
    }

    /// Makes `socket` the one ``cancel()`` shuts down.
    /// - Throws: ``NetworkError`` of kind `cancelled` (after shutting it down) when already cancelled.
    public func register(_ socket: TCPSocket) throws {
        let cancelled = state.withLock { state -> Bool in
            state.socket = socket
            return state.cancelled
        }
        if cancelled {
            socket.shutdown()
            throw NetworkError(.cancelled, "the operation was cancelled")
        }
    }

    /// Signals `semaphore` on cancellation (at once when already cancelled).
    func wake(_ semaphore: DispatchSemaphore) {
        let cancelled = state.withLock { state -> Bool in
            if !state.cancelled { state.wakers.append(semaphore) }
            return state.cancelled
        }
        if cancelled { semaphore.signal() }
    }

    /// Forgets `semaphore`, once its wait is over.
    func forget(_ semaphore: DispatchSemaphore) {
        state.withLock { $0.wakers.removeAll { $0 === semaphore } }
    }
}
