import SMTPWire
import Foundation
import NetworkIO

/// Connects a Task's cancellation to the stream a blocked thread is using.
///
/// Cancellation may come before the stream exists, while it is in use, or after: the handle
/// remembers it, and a stream attached after cancellation is cancelled on the spot.
final class CancellationHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var stream: NetworkStream?
    private var isCancelled = false

    /// Registers the stream to cancel; throws when cancellation already happened.
    func attach(_ stream: NetworkStream) throws {
        let cancelled = lock.withLock { () -> Bool in
            self.stream = stream
            return isCancelled
        }
        if cancelled {
            stream.cancel()
            throw NetworkError(.cancelled, "the send was cancelled")
        }
    }

    /// Wakes whatever the stream's thread is blocked on. Safe from any thread.
    func cancel() {
        let stream = lock.withLock { () -> NetworkStream? in
            isCancelled = true
            return self.stream
        }
        stream?.cancel()
    }
}

/// Runs blocking work on a dedicated thread, never on Swift's cooperative pool, and bridges the
/// result back to async code. Task cancellation is forwarded to `handle`.
enum DedicatedThread {
    static func run<T: Sendable>(name: String, handle: CancellationHandle,
                                 _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try body() })
                }
                thread.name = name
                thread.start()
            }
        } onCancel: {
            handle.cancel()
        }
    }
}
