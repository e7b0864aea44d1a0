import Dispatch
import Foundation
import Glibc
import Locking

/// The one place blocking socket and TLS work runs: a set of threads grown on demand up to a cap,
/// never Swift's cooperative pool and never a thread per operation.
///
/// A job that finds every thread busy and the cap reached waits in a FIFO queue. Threads, once
/// started, stay for later jobs (parked on a semaphore, they cost no CPU).
///
/// The SMTP client and pool share ``shared``. A server (the DevServer) uses an executor of its own:
/// its sessions block for as long as their clients stay connected, and must never starve the
/// clients of the same process of threads.
public final class BlockingExecutor: Sendable {
    /// The executor SMTP clients and pools use unless given another: at most 64 threads, named `smtp-io`.
    public static let shared = BlockingExecutor(name: "smtp-io", maxThreads: 64)

    /// The name each thread carries (visible in /proc and debuggers).
    public let name: String
    /// The most threads this executor starts.
    public let maxThreads: Int

    private struct State {
        var jobs = FIFOQueue<@Sendable () -> Void>()
        var threads = 0
        var idle = 0
    }

    private let state = Locked(State())
    private let available = DispatchSemaphore(value: 0)

    /// Creates an executor.
    /// - Parameters:
    ///   - name: the threads' name.
    ///   - maxThreads: the cap on threads (at least 1).
    public init(name: String, maxThreads: Int) {
        self.name = name
        self.maxThreads = max(1, maxThreads)
    }

    /// Threads started so far (they never exceed ``maxThreads``).
    public var threadCount: Int { state.withLock { $0.threads } }

    /// Jobs waiting for a free thread.
    public var queuedJobs: Int { state.withLock { max(0, $0.jobs.count - $0.idle) } }

    /// Runs `job` on one of the executor's threads, as soon as one is free.
    public func execute(_ job: @escaping @Sendable () -> Void) {
        let startThread = state.withLock { state -> Bool in
            state.jobs.append(job)
            // Every parked thread takes one queued job; start another only for the rest.
            guard state.jobs.count > state.idle, state.threads < maxThreads else { return false }
            state.threads += 1
            return true
        }
        available.signal()
        if startThread {
            let thread = Thread { [self] in
                Self.nameCurrentThread(name)
                work()
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    /// Runs `body` on an executor thread and returns its result to async code.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            execute { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Names the calling thread as /proc/self/task/*/comm and debuggers show it (at most 15 bytes).
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    private func work() {
        while true {
            state.withLock { $0.idle += 1 }
            available.wait()
            let job = state.withLock { state -> @Sendable () -> Void in
                state.idle -= 1
                return state.jobs.popFirst()!  // one signal per queued job, so there is one
            }
            job()
        }
    }
}
