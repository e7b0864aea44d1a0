import Foundation

/// A task executor with a thread of its own, for CPU-heavy tests: `OwnThreadExecutor.run { ... }`
/// runs the test's async body there instead of on Swift's cooperative pool (two threads on a
/// 2-core machine), so the servers' and clients' Tasks of the tests beside it keep their threads.
/// The body stays in its Task, so `#expect` and task-local state work as anywhere else.
public final class OwnThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Guarded by `lock`.
    private var jobs: [UnownedJob] = []
    private var stopped = false
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)

    private init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on a thread of its own, then ends that thread.
    public static func run<T: Sendable>(name: String = "test-cpu", _ body: () async throws -> T) async rethrows -> T {
        let executor = OwnThreadExecutor(name: name)
        defer { executor.stop() }
        return try await withTaskExecutorPreference(executor, operation: body)
    }

    /// Called by the runtime for each job of a Task that prefers this executor.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        lock.withLock { jobs.append(job) }
        ready.signal()
    }

    private func stop() {
        lock.withLock { stopped = true }
        ready.signal()
    }

    private func loop() {
        while true {
            ready.wait()
            let (job, done) = lock.withLock { () -> (UnownedJob?, Bool) in
                jobs.isEmpty ? (nil, stopped) : (jobs.removeFirst(), false)
            }
            if let job { job.runSynchronously(on: asUnownedTaskExecutor()) } else if done { return }
        }
    }
}
