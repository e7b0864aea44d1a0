import Glibc

/// A value that threads share, guarded by a POSIX mutex: the package's lock.
///
/// It has the shape of `Synchronization.Mutex` (`withLock` hands the body the value `inout`), and
/// exists because ThreadSanitizer cannot see `Mutex` on Linux: `Mutex` locks with atomics and
/// futex calls inside the Swift runtime, which is not instrumented, so TSan finds no
/// happens-before edge between two holders and reports every guarded access as a race.
/// `pthread_mutex_lock` is one of TSan's interceptors, so under `--sanitize=thread` only real
/// races are reported (see Docs/Reliability.md). Its own target, the leaf below ConnectorKit and
/// NetworkIO, so that both share one copy without depending on each other.
package final class Locked<State>: @unchecked Sendable {
    // Allocated once and never moved: a pthread mutex must keep its address while it is in use.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    // Read and written only inside `withLock`: this is what makes the type Sendable.
    private var state: State

    /// A lock guarding `initial`.
    /// - Parameter initial: the value, which from now on is reached only through ``withLock(_:)``.
    package init(_ initial: sending State) {
        state = initial
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        // An error-checking mutex: taking it again on the thread that holds it is a crash that says
        // so (as with `Mutex`), not a silent deadlock.
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
        let status = pthread_mutex_init(mutex, &attributes)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock; `body` must not take this lock again (that
    /// stops the program).
    package func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending State) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        let status = pthread_mutex_lock(mutex)
        precondition(status == 0, status == EDEADLK ? "Locked.withLock called inside its own body" : "pthread_mutex_lock failed: \(status)")
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// ``withLock(_:)`` that also hands `value` to `body`, so that `body` may store it in the
    /// guarded value: a value sent in here is owned by the lock from then on (a closure that
    /// captured it instead could not give it away, since it might run twice).
    package func withLock<Value, Result: ~Copyable, E: Error>(
        handing value: sending Value, _ body: (inout sending State, sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        let status = pthread_mutex_lock(mutex)
        precondition(status == 0, status == EDEADLK ? "Locked.withLock called inside its own body" : "pthread_mutex_lock failed: \(status)")
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state, value)
    }
}
