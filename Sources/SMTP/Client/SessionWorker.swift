import SMTPWire
import Foundation

/// A thread that belongs to one pooled connection and runs its blocking work, one job at a time.
///
/// Starting a thread per message costs more than sending a small message over a warm connection,
/// so a pooled connection keeps its thread. The thread ends with ``stop()``.
final class SessionWorker: @unchecked Sendable {
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the worker's thread; Task cancellation is forwarded to `handle`.
    func run<T: Sendable>(handle: CancellationHandle, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                submit { continuation.resume(with: Result { try body() }) }
            }
        } onCancel: {
            handle.cancel()
        }
    }

    /// Runs `body` on the worker's thread without waiting, then ends the thread.
    func finish(_ body: @escaping @Sendable () -> Void) {
        submit(body)
        stop()
    }

    /// Ends the thread once the queued jobs are done.
    func stop() {
        lock.withLock { stopped = true }
        ready.signal()
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        lock.withLock { jobs.append(job) }
        ready.signal()
    }

    private func loop() {
        while true {
            ready.wait()
            let (job, done) = lock.withLock { () -> ((@Sendable () -> Void)?, Bool) in
                if !jobs.isEmpty { return (jobs.removeFirst(), false) }
                return (nil, stopped)
            }
            if let job { job() } else if done { return }
        }
    }
}
