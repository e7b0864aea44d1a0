import Dispatch
import NetworkIO

/// How the driver performs the pool machine's actions.
extension SMTPPool {
    /// Performs `actions`, all but the one that is work on connection `current` (the connection
    /// the calling executor thread works on), which it returns for the caller to do next without
    /// a thread hop. Senders are resumed here, on the calling thread, outside the lock.
    @discardableResult
    func perform(_ actions: [Machine.Action], on current: Machine.ConnectionID? = nil) -> Machine.Action? {
        guard !actions.isEmpty else { return nil }
        var inline: Machine.Action?
        // What the actions need from the driver's state, taken in one pass under the lock.
        var resumes: [(PendingSend, Result<SMTPSendResult, SMTPError>)] = []
        var retries: [String] = []
        var tokens: [CancellationToken] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
        state.withLock { state in
            for action in actions {
                switch action {
                case .finish(let request):
                    guard let send = state.sends.removeValue(forKey: request), let result = send.result else {
                        preconditionFailure("finish(\(request)) without a result")
                    }
                    resumes.append((send, result))
                case .fail(let request, let failure):
                    guard let send = state.sends.removeValue(forKey: request) else { preconditionFailure("fail(\(request)) twice") }
                    let error: SMTPError = if failure == .openFailed, case .failure(let error)? = send.result { error }
                        else { Self.error(for: failure) }
                    resumes.append((send, .failure(error)))
                case .retry(let request, let reason):
                    if case .failure(let error)? = state.sends[request]?.result, reason == .droppedConnection {
                        retries.append(error.message)
                    } else {
                        retries.append("the idle connection did not answer NOOP")
                    }
                    state.sends[request]?.result = nil
                case .cancelConnection(let connection):
                    if let token = state.tokens[connection] { tokens.append(token) }
                case .shutdownFinished:
                    waiters += state.shutdownWaiters
                    state.shutdownWaiters = []
                case .open, .run, .close, .scheduleTimer:
                    break
                }
            }
        }
        tokens.forEach { $0.cancel() }
        let events = client.configuration.events
        for reason in retries { events?(.retried(reason: reason)) }
        for action in actions {
            switch action {
            case .open(let connection):
                client.configuration.executor.execute { self.open(connection) }
            case .run(_, let connection, _, _, _), .close(let connection, _):
                if connection == current {
                    precondition(inline == nil, "two steps for connection \(connection) at once")
                    inline = action
                } else {
                    client.configuration.executor.execute { self.work(action, on: connection) }
                }
            case .scheduleTimer(let instant):
                schedule(at: instant)
            case .finish, .fail, .retry, .cancelConnection, .shutdownFinished:
                break
            }
        }
        for (send, result) in resumes { send.continuation.resume(returning: result) }
        waiters.forEach { $0.resume() }
        return inline
    }

    /// Fires the machine's timer at `instant`, on the pool's timer queue (not a Task: a sleeping
    /// Task would need a free cooperative thread to wake up on).
    private func schedule(at instant: ContinuousClock.Instant) {
        let delay = ContinuousClock.now.duration(to: instant)
        let nanoseconds = max(0, Int(delay.components.seconds) * 1_000_000_000 + Int(delay.components.attoseconds / 1_000_000_000))
        timers.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in
            guard let self else { return }
            let actions = state.withLock { $0.machine.timerFired(now: .now) }
            perform(actions)
        }
    }
}
