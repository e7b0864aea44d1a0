import Foundation
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
///   dropped the connection) is retried once on a connection known to be alive (a new one, one
///   that just delivered a message, or an idle one that answered NOOP); a message whose data was
///   written is never retried.
/// - `rateLimit` messages per `rateWindow` seconds at most, across all connections.
/// - Waiting for a connection or for the rate limit ends at once when the Task is cancelled.
/// - ``shutdown()`` refuses new sends, lets those in flight finish, and QUITs every connection.
public actor SMTPPool: SMTPTransport {
    private struct Idle {
        var connection: SMTPConnection
        var since: Date
    }

    private let client: SMTPClient
    /// The limits in force.
    public let limits: Limits
    private var idle: [Idle] = []
    /// Connections counted against `maxConnections`: opening, busy, idle or quitting.
    private var counted = 0
    /// Sends waiting for a connection; busy connections take from it on their executor threads.
    private nonisolated let queue = PendingSends()
    private var recentSends: [Date] = []
    private var reaper: Task<Void, Never>?
    private var inFlight = 0
    private var isShutDown = false
    private var drained: [CheckedContinuation<Void, Never>] = []
    /// Shutdowns waiting for the last connection to be closed.
    private var allClosed: [CheckedContinuation<Void, Never>] = []

    /// Creates a pool; connections open on first use.
    /// - Parameters:
    ///   - configuration: the server and how to talk to it.
    ///   - limits: how many connections, messages and sends per window.
    /// - Throws: ``SMTPError`` when the TLS settings cannot be loaded.
    public init(configuration: SMTPClientConfiguration, limits: Limits = Limits()) throws {
        client = try SMTPClient(configuration: configuration)
        self.limits = limits
    }

    deinit {
        reaper?.cancel()
        for var entry in idle { entry.connection.abort() }
    }

    /// Connections counted against `maxConnections` now (opening, busy, idle or still quitting).
    public var openConnections: Int { counted }

    /// Sends waiting for a connection to come free.
    public var waitingSends: Int { queue.count }

    /// Whether ``shutdown()`` was called.
    public var isShuttingDown: Bool { isShutDown }

    /// Sends over an idle connection, or a new one when fewer than `maxConnections` are open,
    /// or waits for one to come free.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        guard !isShutDown else { throw Self.shutDownError }
        try envelope.validate()
        inFlight += 1
        defer {
            inFlight -= 1
            if inFlight == 0 { drained.forEach { $0.resume() }; drained = [] }
        }
        try await waitForRate()
        switch await submit(envelope: envelope, message: message, retry: false) {
        case .delivered(let result):
            return result
        case .failed(let error, retryable: false):
            throw error
        case .failed(let error, retryable: true):
            // The server had dropped the idle connection; nothing of this message was accepted.
            client.configuration.events?(.retried(reason: error.message))
            switch await submit(envelope: envelope, message: message, retry: true) {
            case .delivered(let result): return result
            case .failed(let error, _): throw error
            }
        }
    }

    /// Refuses new sends, lets those in flight finish, then QUITs every connection and waits for
    /// the QUITs. Sends waiting for a connection fail with a clear error.
    public func shutdown() async {
        isShutDown = true
        reaper?.cancel()
        queue.failAll(Self.shutDownError)
        if inFlight > 0 { await withCheckedContinuation { drained.append($0) } }
        let connections = idle.map(\.connection)
        idle = []
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask { await self.retire(connection, quit: true) }
            }
        }
        // Connections retired earlier (used up, failed, expired) or still busy may be quitting.
        if counted > 0 { await withCheckedContinuation { allClosed.append($0) } }
    }

    /// The same as ``shutdown()``.
    public func close() async {
        await shutdown()
    }

    // MARK: - Sends and connections

    /// Hands one send to a connection, or queues it, and waits for its result. Cancelling the Task
    /// ends a queued send at once and cancels the connection of a running one.
    private func submit(envelope: SMTPEnvelope, message: [UInt8], retry: Bool) async -> PooledResult {
        let id = queue.register()
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                dispatch(PendingSend(id: id, envelope: envelope, message: message, isRetry: retry, continuation: continuation))
            }
        } onCancel: { [queue] in
            queue.cancel(id)
        }
    }

    /// An idle connection (checked when it sat a while, or when this is a retry), a new one, or the queue.
    private func dispatch(_ send: PendingSend) {
        guard !isShutDown else { return queue.complete(send, with: .failed(Self.shutDownError, retryable: false)) }
        // A cancelled send must not take (and, by cancelling, shut down) a good idle connection.
        guard !Task.isCancelled else {
            return queue.complete(send, with: .failed(PendingSends.cancelledWhileWaiting, retryable: false))
        }
        dropExpiredIdle()
        if !start(send) { queue.enqueue(send) }
    }

    /// Gives waiting sends to idle connections, or to new ones while fewer than `maxConnections`
    /// are open; busy connections take the rest as they finish.
    private func serveQueue() {
        // A send put back after a failed health check may arrive after shutdown() emptied the queue.
        guard !isShutDown else { return queue.failAll(Self.shutDownError) }
        dropExpiredIdle()
        while !idle.isEmpty || counted < limits.maxConnections, let send = queue.take() {
            _ = start(send)
        }
    }

    /// Starts `send` on an idle connection or a new one; false when every connection is busy.
    private func start(_ send: PendingSend) -> Bool {
        if let entry = idle.popLast() {
            let start = PoolWorker.Start(first: send, reused: true, healthCheck: needsCheck(entry, for: send), started: false,
                                         idleSeconds: Date().timeIntervalSince(entry.since))
            client.configuration.executor.execute { self.deliver(on: entry.connection, start) }
            return true
        }
        guard counted < limits.maxConnections else { return false }
        open(for: send)
        return true
    }

    /// Whether `entry` gets a NOOP before `send`: it sat idle a while, or `send` already failed once
    /// on a connection the server had dropped.
    private func needsCheck(_ entry: Idle, for send: PendingSend) -> Bool {
        send.isRetry || Date().timeIntervalSince(entry.since) >= limits.healthCheckAfter
    }

    /// On an executor thread: a ``PoolWorker`` job on `connection`, then the connection goes back
    /// to the actor.
    private nonisolated func deliver(on connection: SMTPConnection, _ start: PoolWorker.Start) {
        let finished = PoolWorker.deliver(on: connection, start, queue: queue, maxMessages: limits.maxMessagesPerConnection)
        Task { await self.checkIn(finished) }
    }

    /// Opens a connection for `send` (which the opening's cancellation follows) and works on it.
    private func open(for send: PendingSend) {
        counted += 1
        let token = CancellationToken()
        guard queue.start(send.id, on: token) else {
            queue.complete(send, with: .failed(PendingSends.cancelledWhileWaiting, retryable: false))
            return connectionClosed()
        }
        let client = self.client
        Task {
            do {
                let oauthToken = try await client.fetchOAuthToken()
                client.configuration.executor.execute {
                    do {
                        let connection = try SMTPConnection.open(configuration: client.configuration, tlsContext: client.tlsContext,
                                                                 hostName: client.hostName, oauthToken: oauthToken, token: token)
                        self.deliver(on: connection, PoolWorker.Start(first: send, reused: false, healthCheck: false, started: true))
                    } catch {
                        self.openFailed(send, error)
                    }
                }
            } catch {
                self.openFailed(send, error)
            }
        }
    }

    private nonisolated func openFailed(_ send: PendingSend, _ error: any Error) {
        let failure = error as? SMTPError ?? SMTPError(.connection, phase: .connect, "\(error)")
        queue.complete(send, with: .failed(failure, retryable: false))
        Task { await self.connectionClosed() }
    }

    /// A connection back from its job: kept idle when it is in sync and has messages left, else ended.
    private func checkIn(_ connection: SMTPConnection) {
        let cancelled = connection.token.isCancelled
        if !isShutDown, !cancelled, connection.machine.isReady,
           connection.machine.messagesDelivered < limits.maxMessagesPerConnection {
            idle.append(Idle(connection: connection, since: Date()))
            scheduleReaper()
        } else {
            // Failed, cancelled (its socket may be shut down), used up, or the pool is shutting down.
            Task { await self.retire(connection, quit: !cancelled && connection.machine.isReady) }
        }
        serveQueue()
    }

    /// Ends a connection (with QUIT when asked and possible); it stops counting only then.
    private func retire(_ connection: SMTPConnection, quit: Bool) async {
        let executor = client.configuration.executor
        if quit {
            _ = try? await executor.run { var closing = connection; closing.quit() }
        } else {
            var closing = connection
            closing.abort()
        }
        connectionClosed()
    }

    /// One connection fewer counts; a waiting send may open the next.
    private func connectionClosed() {
        counted -= 1
        serveQueue()
        if isShutDown, counted == 0 {
            allClosed.forEach { $0.resume() }
            allClosed = []
        }
    }

    private func dropExpiredIdle() {
        let now = Date()
        let expired = idle.filter { now.timeIntervalSince($0.since) >= limits.idleTimeout }
        guard !expired.isEmpty else { return }
        idle.removeAll { now.timeIntervalSince($0.since) >= limits.idleTimeout }
        for entry in expired { Task { await self.retire(entry.connection, quit: true) } }
    }

    /// One reaper at a time: it sleeps an idle timeout, closes what expired, and goes again while
    /// connections are idle.
    private func scheduleReaper() {
        guard reaper == nil, !isShutDown else { return }
        let delay = limits.idleTimeout
        reaper = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000) + 10_000_000)
            await self?.reap()
        }
    }

    private func reap() {
        reaper = nil
        dropExpiredIdle()
        if !idle.isEmpty { scheduleReaper() }
    }

    /// Waits until sending one more message keeps within `rateLimit` per `rateWindow`.
    private func waitForRate() async throws {
        guard let limit = limits.rateLimit, limit > 0 else { return }
        while true {
            let now = Date()
            recentSends.removeAll { now.timeIntervalSince($0) >= limits.rateWindow }
            if recentSends.count < limit {
                recentSends.append(now)
                return
            }
            let wait = limits.rateWindow - now.timeIntervalSince(recentSends[0])
            do {
                try await Task.sleep(nanoseconds: UInt64(max(0.001, wait) * 1_000_000_000))
            } catch {
                throw SMTPError(.cancelled, phase: .connect, "the send was cancelled while waiting for the rate limit")
            }
        }
    }

    private static let shutDownError = SMTPError(.cancelled, phase: .connect, "the connection pool is shut down",
                                                  hint: "Sends are refused once shutdown() was called; make a new connector.")
}
