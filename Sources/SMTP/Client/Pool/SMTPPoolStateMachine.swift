/// The policy of ``SMTPPool`` as a pure state machine: events in, actions out, no I/O, no clock
/// (the time comes with each event), in the shape of async-http-client's
/// `HTTPConnectionPool.StateMachine`.
///
/// It decides which send goes on which connection, when a connection opens, is reused, is checked
/// with NOOP, or closes, when a send waits (for a connection or for the rate limit), fails
/// (cancelled, shut down) or is retried once, and when the one timer of the pool must fire. The
/// driver (``SMTPPool``) performs the actions and reports back.
///
/// Rules it keeps, and that the tests check with random events:
/// - at most `maxConnections` connections count at once, from opening until closed;
/// - every send ends exactly once (``Action/finish(_:)`` or ``Action/fail(_:_:)``), unless it is
///   retried, and then it ends once later;
/// - a connection that failed, whose send was cancelled, or that was used up is never given
///   another send;
/// - after ``shutdown(now:)``, waiting sends fail, idle connections QUIT, sends in flight finish,
///   and ``Action/shutdownFinished`` comes once no connection is left.
struct SMTPPoolStateMachine: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// A send the driver registered.
    struct RequestID: Hashable, Sendable, Comparable {
        let value: Int
        static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
    }

    /// A connection the machine asked for.
    struct ConnectionID: Hashable, Sendable {
        let value: Int
    }

    /// Why a send ends without having run.
    enum Failure: Sendable, Equatable {
        /// Cancelled while it waited for a connection or the rate limit.
        case cancelledWhileWaiting
        /// Cancelled while its connection was opening, and the connection opened all the same.
        case cancelled
        /// The pool is shut down.
        case shutDown
        /// The connection opened for it failed: the driver has that error.
        case openFailed
    }

    /// Why a send waits again, first in line.
    enum RetryReason: Sendable, Equatable {
        /// The idle connection it was given did not answer NOOP; nothing of it was sent.
        case deadIdleConnection
        /// It failed on a reused connection the server had dropped, before any of its data was sent.
        case droppedConnection
    }

    /// How a send on a connection ended, as the driver saw it.
    enum RunResult: Sendable, Equatable {
        /// Accepted; `sessionReady`: the connection is in sync for another message.
        case delivered(sessionReady: Bool)
        /// Failed; `stale`: a hang-up or 421 before any data went out.
        case failed(sessionReady: Bool, stale: Bool)
        /// The health check failed: the send was not tried.
        case notAlive
    }

    /// What the driver does.
    enum Action: Sendable, Equatable {
        /// Open a connection (for the send it was opened for, which it reports with ``connectionOpened(_:now:)``).
        case open(ConnectionID)
        /// Run the send on the connection: NOOP first when `healthCheck`; `idle` is how long a
        /// reused connection sat idle (nil for a new one, or one that just finished a send).
        case run(RequestID, on: ConnectionID, healthCheck: Bool, reused: Bool, idle: Duration?)
        /// End the send with what its run came to.
        case finish(RequestID)
        /// End the send with `Failure`.
        case fail(RequestID, Failure)
        /// The send waits again, first in line (report it as a retry).
        case retry(RequestID, RetryReason)
        /// Cancel the connection's blocking work (its send was cancelled).
        case cancelConnection(ConnectionID)
        /// Close the connection: QUIT first when `quit`, else at once.
        case close(ConnectionID, quit: Bool)
        /// Fire ``timerFired(now:)`` at this instant (replaces any earlier timer).
        case scheduleTimer(Instant)
        /// Shutdown is complete: no connection is left.
        case shutdownFinished
    }

    let limits: SMTPPool.Limits
    var requests: [RequestID: Request] = [:]
    /// Sends waiting for a connection or the rate limit, oldest first (retries go first).
    var waiting: [RequestID] = []
    var connections: [ConnectionID: Connection] = [:]
    /// When each of the last `rateLimit` sends started.
    var recentStarts: [Instant] = []
    var nextConnection = 0
    var timer: Instant?
    var isShuttingDown = false

    struct Request: Sendable {
        var isRetry = false
        var cancelled = false
        var connection: ConnectionID?
    }

    struct Connection: Sendable {
        enum State: Sendable, Equatable {
            case opening(RequestID)
            case running(RequestID, reused: Bool)
            case idle(since: Instant)
            case closing
        }
        var state: State
        var messages = 0
        var cancelled = false
    }

    init(limits: SMTPPool.Limits) {
        self.limits = limits
    }

    /// Connections that count against `maxConnections`.
    var connectionCount: Int { connections.count }

    /// Sends waiting for a connection or the rate limit.
    var waitingCount: Int { waiting.count }

    // MARK: - Events

    /// A new send.
    mutating func sendRequested(_ id: RequestID, now: Instant) -> [Action] {
        precondition(requests[id] == nil, "request \(id) registered twice")
        guard !isShuttingDown else { return [.fail(id, .shutDown)] }
        requests[id] = Request()
        waiting.append(id)
        return dispatch(now: now)
    }

    /// The caller's Task was cancelled.
    mutating func cancelled(_ id: RequestID, now: Instant) -> [Action] {
        guard var request = requests[id], !request.cancelled else { return [] }
        if let index = waiting.firstIndex(of: id) {
            waiting.remove(at: index)
            requests[id] = nil
            return [.fail(id, .cancelledWhileWaiting)] + dispatch(now: now)
        }
        request.cancelled = true
        requests[id] = request
        guard let connection = request.connection else { return [] }
        connections[connection]?.cancelled = true
        return [.cancelConnection(connection)]
    }

    /// A connection opened for its send.
    mutating func connectionOpened(_ id: ConnectionID, now: Instant) -> [Action] {
        guard case .opening(let request) = connections[id]?.state else { preconditionFailure("\(id) was not opening") }
        if requests[request]?.cancelled == true {
            requests[request] = nil
            connections[id]?.state = .closing
            return [.fail(request, .cancelled), .close(id, quit: false)] + dispatch(now: now)
        }
        connections[id]?.state = .running(request, reused: false)
        return [.run(request, on: id, healthCheck: false, reused: false, idle: nil)]
    }

    /// A connection could not be opened (it holds no socket any more).
    mutating func connectionFailedToOpen(_ id: ConnectionID, now: Instant) -> [Action] {
        guard case .opening(let request) = connections[id]?.state else { preconditionFailure("\(id) was not opening") }
        connections[id] = nil
        requests[request] = nil
        return [.fail(request, .openFailed)] + finishShutdownIfDone() + dispatch(now: now)
    }

    /// A send ran on a connection.
    mutating func runFinished(_ id: ConnectionID, _ result: RunResult, now: Instant) -> [Action] {
        guard var connection = connections[id], case .running(let request, let reused) = connection.state else {
            preconditionFailure("\(id) was not running")
        }
        var actions: [Action] = []
        let sessionReady: Bool
        switch result {
        case .delivered(let ready):
            connection.messages += 1
            sessionReady = ready
            requests[request] = nil
            actions.append(.finish(request))
        case .failed(let ready, let stale):
            sessionReady = ready
            if stale, reused, requests[request]?.isRetry == false, requests[request]?.cancelled == false {
                requeue(request, retry: true)
                actions.append(.retry(request, .droppedConnection))
            } else {
                requests[request] = nil
                actions.append(.finish(request))
            }
        case .notAlive:
            sessionReady = false
            if requests[request]?.cancelled == true {
                requests[request] = nil
                actions.append(.fail(request, .cancelled))
            } else {
                requeue(request, retry: requests[request]?.isRetry ?? false)
                actions.append(.retry(request, .deadIdleConnection))
            }
        }
        let reusable = sessionReady && !connection.cancelled && !isShuttingDown
            && connection.messages < limits.maxMessagesPerConnection
        if reusable {
            connection.state = .idle(since: now)
            connections[id] = connection
            // The connection just answered: the first waiting send may go on it without a NOOP.
            if let next = nextStartable(now: now) {
                actions.append(start(next, on: id, healthCheck: false, idle: nil, now: now))
            }
        } else {
            connection.state = .closing
            connections[id] = connection
            actions.append(.close(id, quit: sessionReady && !connection.cancelled))
        }
        return actions + dispatch(now: now)
    }

    /// A connection is closed (after QUIT, or dropped): it no longer counts.
    mutating func connectionClosed(_ id: ConnectionID, now: Instant) -> [Action] {
        guard case .closing = connections[id]?.state else { preconditionFailure("\(id) was not closing") }
        connections[id] = nil
        return finishShutdownIfDone() + dispatch(now: now)
    }

    /// The timer asked for with ``Action/scheduleTimer(_:)`` fired (possibly late, or an old one).
    mutating func timerFired(now: Instant) -> [Action] {
        if let timer, timer <= now { self.timer = nil }
        return dispatch(now: now)
    }

    /// Refuse new sends, fail the waiting ones, QUIT the idle connections; those in flight finish.
    mutating func shutdown(now: Instant) -> [Action] {
        isShuttingDown = true
        var actions = waiting.map { Action.fail($0, .shutDown) }
        for id in waiting { requests[id] = nil }
        waiting = []
        for (id, connection) in connections.sorted(by: { $0.key.value < $1.key.value }) {
            if case .idle = connection.state {
                connections[id]?.state = .closing
                actions.append(.close(id, quit: true))
            }
        }
        return actions + finishShutdownIfDone()
    }
}
