import Dispatch
import Foundation
import Locking
import NetworkIO
import SMTPWire

/// Keeps up to `maxConnections` authenticated connections open and sends over them, like
/// nodemailer's `pool: true`.
///
/// - A connection counts against `maxConnections` from the moment it starts opening until its QUIT
///   is done.
/// - A connection carries at most `maxMessagesPerConnection` messages, then is closed with QUIT.
/// - A connection that failed (network error, timeout, 421, protocol violation) or whose operation
///   was cancelled is never reused. After a refused message the state machine resets the
///   transaction (RSET); only a connection that answered that is reused.
/// - A connection idle for more than `healthCheckAfter` seconds is checked with NOOP before reuse;
///   a 421 or hang-up there costs a fresh connection, not a failed send.
/// - A message that fails on a reused connection before any of its data was written (the server had
///   closed the connection: a hang-up or 421, not a garbage reply) is retried once on a connection
///   known to be alive; a message whose data was written is never retried.
/// - `rateLimit` messages per `rateWindow` seconds at most, across all connections.
/// - Waiting for a connection or for the rate limit ends at once when the Task is cancelled.
/// - ``shutdown()`` refuses new sends, lets those in flight finish, and QUITs every connection.
///
/// Every decision is ``SMTPPoolStateMachine``'s; this driver performs its actions. Nothing here
/// needs Swift's cooperative pool to make progress: connections open, send, check in, QUIT and
/// expire on the executor's threads and a timer queue, and each sender is resumed directly from
/// the thread that finished its send (Docs/Architecture.md, "Concurrency").
public final class SMTPPool: SMTPTransport, Sendable {
    typealias Machine = SMTPPoolStateMachine

    let client: SMTPClient
    /// The limits in force.
    public let limits: Limits
    let state: Locked<State>
    /// The machine's timer fires here: a serial queue of its own, which Dispatch serves with an
    /// overcommitting thread (`DispatchQueue.global()`'s threads are capped at the number of cores
    /// on Linux, and Tasks spinning on the cooperative pool count against that cap).
    let timers = DispatchQueue(label: "smtp-pool-timer")

    struct State {
        var machine: Machine
        var nextRequest = 0
        var sends: [Machine.RequestID: PendingSend] = [:]
        /// Requests whose Task was cancelled before they were registered.
        var cancelledEarly: Set<Machine.RequestID> = []
        /// Every open connection no thread is working on (idle, or between two steps). A thread
        /// takes one out to work on it and parks it again after: a connection has one owner.
        var parked: [Machine.ConnectionID: SMTPConnection] = [:]
        var tokens: [Machine.ConnectionID: CancellationToken] = [:]
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// One send the pool holds: what to send, the result once known, and who waits for it.
    struct PendingSend: Sendable {
        let envelope: SMTPEnvelope
        let message: [UInt8]
        let oauthToken: String?
        let continuation: CheckedContinuation<Result<SMTPSendResult, SMTPError>, Never>
        var result: Result<SMTPSendResult, SMTPError>?
    }

    /// Creates a pool; connections open on first use.
    /// - Parameters:
    ///   - configuration: the server and how to talk to it.
    ///   - limits: how many connections, messages and sends per window.
    /// - Throws: ``SMTPError`` when the TLS settings cannot be loaded.
    public init(configuration: SMTPClientConfiguration, limits: Limits = Limits()) throws {
        client = try SMTPClient(configuration: configuration)
        self.limits = limits
        state = Locked(State(machine: Machine(limits: limits)))
    }

    /// Connections counted against `maxConnections` now (opening, busy, idle or still quitting).
    public var openConnections: Int { state.withLock { $0.machine.connectionCount } }

    /// Sends waiting for a connection to come free (or for the rate limit).
    public var waitingSends: Int { state.withLock { $0.machine.waitingCount } }

    /// Whether ``shutdown()`` was called.
    public var isShuttingDown: Bool { state.withLock { $0.machine.isShuttingDown } }

    /// Sends over an idle connection, or a new one when fewer than `maxConnections` are open,
    /// or waits for one to come free. Cancelling the Task ends a waiting send at once and cancels
    /// the connection of a running one.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        guard !isShuttingDown else { throw Self.shutDownError }
        try envelope.validate()
        // Fetched (or taken from its cache) here, in the caller's Task: opening needs no Task of its own.
        let oauthToken = try await client.fetchOAuthToken()
        let id = state.withLock { state in
            defer { state.nextRequest += 1 }
            return Machine.RequestID(value: state.nextRequest)
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let send = PendingSend(envelope: envelope, message: message, oauthToken: oauthToken, continuation: continuation)
                register(id, send)
            }
        } onCancel: {
            cancel(id)
        }
        return try result.get()
    }

    /// Refuses new sends, lets those in flight finish, then QUITs every connection and waits for
    /// the QUITs. Sends waiting for a connection fail with a clear error.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            let actions = state.withLock { state in
                state.shutdownWaiters.append(continuation)
                return state.machine.shutdown(now: .now)
            }
            perform(actions)
        }
    }

    /// The same as ``shutdown()``.
    public func close() async {
        await shutdown()
    }

    // MARK: - Events into the machine

    private func register(_ id: Machine.RequestID, _ send: PendingSend) {
        let registered = state.withLock { state -> [Machine.Action]? in
            if state.cancelledEarly.remove(id) != nil { return nil }
            state.sends[id] = send
            return state.machine.sendRequested(id, now: .now)
        }
        guard let actions = registered else {
            // Cancelled before it got here: it must not take (and, cancelling, spoil) a good connection.
            return send.continuation.resume(returning: .failure(Self.error(for: .cancelledWhileWaiting)))
        }
        perform(actions)
    }

    private func cancel(_ id: Machine.RequestID) {
        let actions = state.withLock { state -> [Machine.Action] in
            guard state.sends[id] != nil else {
                state.cancelledEarly.insert(id)
                return []
            }
            return state.machine.cancelled(id, now: .now)
        }
        perform(actions)
    }

    /// On an executor thread: opens connection `id` for the send it was opened for, then works on it.
    func open(_ id: Machine.ConnectionID) {
        let token = CancellationToken()
        let oauthToken = state.withLock { state -> String? in
            state.tokens[id] = token
            guard case .opening(let request)? = state.machine.connections[id]?.state else { return nil }
            return state.sends[request]?.oauthToken
        }
        let connection: SMTPConnection
        do {
            connection = try SMTPConnection.open(configuration: client.configuration, tlsContext: client.tlsContext,
                                                 hostName: client.hostName, oauthToken: oauthToken, token: token)
        } catch {
            let failure = error as? SMTPError ?? SMTPError(.connection, phase: .connect, "\(error)")
            let actions = state.withLock { state in
                state.tokens[id] = nil
                if case .opening(let request)? = state.machine.connections[id]?.state { state.sends[request]?.result = .failure(failure) }
                return state.machine.connectionFailedToOpen(id, now: .now)
            }
            perform(actions)
            return
        }
        let actions = state.withLock(handing: connection) { state, connection in
            state.parked[id] = connection
            return state.machine.connectionOpened(id, now: .now)
        }
        if let next = perform(actions, on: id) { work(next, on: id) }
    }

    /// On an executor thread: performs `action` (a send or a close) on connection `id`, and what
    /// the machine asks of the same connection next, without leaving the thread.
    func work(_ action: Machine.Action, on id: Machine.ConnectionID) {
        var next: Machine.Action? = action
        while let action = next {
            guard let connection = state.withLock({ $0.parked.removeValue(forKey: id) }) else {
                preconditionFailure("connection \(id) is not parked")
            }
            switch action {
            case .run(let request, _, let healthCheck, let reused, let idle):
                guard let send = state.withLock({ $0.sends[request] }) else { preconditionFailure("no send \(request)") }
                let (result, run) = Self.run(send, on: connection, healthCheck: healthCheck, reused: reused, idle: idle)
                let actions = state.withLock(handing: connection) { state, connection in
                    state.parked[id] = connection
                    state.sends[request]?.result = result
                    return state.machine.runFinished(id, run, now: .now)
                }
                next = perform(actions, on: id)
            case .close(_, let quit):
                if quit { connection.quit() } else { connection.abort() }
                let actions = state.withLock { state in
                    state.tokens[id] = nil
                    return state.machine.connectionClosed(id, now: .now)
                }
                next = perform(actions, on: nil)
            default:
                preconditionFailure("\(action) is not work on a connection")
            }
        }
    }

    /// Sends on `connection` (NOOP first when asked): the result for the sender, and for the machine.
    private static func run(_ send: PendingSend, on connection: SMTPConnection, healthCheck: Bool, reused: Bool,
                            idle: Duration?) -> (Result<SMTPSendResult, SMTPError>?, Machine.RunResult) {
        connection.startOperation()
        if healthCheck {
            guard case .alive = connection.checkAlive(), !connection.token.isCancelled else { return (nil, .notAlive) }
        }
        if reused { connection.report(.reused(idleSeconds: idle?.seconds ?? 0)) }
        switch connection.send(envelope: send.envelope, message: send.message) {
        case .delivered(let result):
            return (.success(result), .delivered(sessionReady: connection.machine.isReady))
        case .failed(let error):
            // Only a hang-up or a 421 before any data says the server had closed a reused
            // connection; a garbage reply is a server fault, never retried as if it were one.
            let stale = !error.bodyWasSent && (error.kind == .connectionClosed || error.reply?.code == 421)
            return (.failure(error), .failed(sessionReady: connection.machine.isReady, stale: stale))
        case let other:
            preconditionFailure("send ended with \(other)")
        }
    }

    static let shutDownError = SMTPError(.cancelled, phase: .connect, "the connection pool is shut down",
                                         hint: "Sends are refused once shutdown() was called; make a new connector.")

    static func error(for failure: Machine.Failure) -> SMTPError {
        switch failure {
        case .cancelledWhileWaiting:
            SMTPError(.cancelled, phase: .connect, "the send was cancelled while waiting for a connection or the rate limit")
        case .cancelled, .openFailed:
            SMTPError(.cancelled, phase: .connect, "the send was cancelled")
        case .shutDown:
            shutDownError
        }
    }
}
