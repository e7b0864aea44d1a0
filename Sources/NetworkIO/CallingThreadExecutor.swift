import Dispatch
import Locking

/// Runs async code to completion on the thread that asks, without Swift's cooperative pool.
///
/// A thread of a ``BlockingExecutor`` that must wait for async code (the console's request
/// handler, say) would otherwise start a `Task` and block until a cooperative thread ran it: in a
/// host whose Tasks keep every cooperative thread busy, that wait has no end. Here the `Task`
/// prefers this executor (SE-0417), so its jobs, and those of the default actors it calls, come
/// back to the waiting thread, which runs them itself.
public final class CallingThreadExecutor: TaskExecutor {
    private let jobs = Locked(FIFOQueue<UnownedJob>())
    private let ready = DispatchSemaphore(value: 0)

    private init() {}

    /// Runs `operation` on the calling thread (blocking it until `operation` is done) and returns
    /// its result.
    /// - Parameter operation: the async work; what it awaits on other executors (an actor with an
    ///   executor of its own, a continuation resumed elsewhere) returns here.
    public static func run<Result: Sendable>(_ operation: sending @escaping @isolated(any) () async -> Result) -> Result {
        let executor = CallingThreadExecutor()
        let result = Locked<Result?>(nil)
        Task(executorPreference: executor) {
            let value = await operation()
            result.withLock { $0 = value }
            executor.ready.signal()  // a wake-up without a job: the operation is over
        }
        while true {
            executor.ready.wait()
            if let job = executor.jobs.withLock({ $0.popFirst() }) {
                job.runSynchronously(on: executor.asUnownedTaskExecutor())
            } else if let value = result.withLock({ $0 }) {
                return value
            }
        }
    }

    /// Called by the runtime for each job of a Task that prefers this executor.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }
}
