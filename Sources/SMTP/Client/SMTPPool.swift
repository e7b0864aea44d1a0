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
///   dropped the connection) is retried once on a fresh connection; a message whose data was
///   written is never retried.
/// - `rateLimit` messages per `rateWindow` seconds at most, across all connections.
/// - Waiting for a connection or for the rate limit ends at once when the Task is cancelled.
/// - ``shutdown()`` refuses new sends, lets those in flight finish, and QUITs every connection.
public actor SMTPPool: SMTPTransport {
    /// Pool limits; defaults are nodemailer's.
    public struct Limits: Sendable, Equatable {
        /// Connections open at once (`maxConnections`, default 5).
        public var maxConnections: Int = 5
        /// Messages per connection (`maxMessages`, default 100).
        public var maxMessagesPerConnection: Int = 100
        /// Messages per `rateWindow` (`rateLimit`); nil for no limit.
        public var rateLimit: Int?
        /// The rate window in seconds (`rateDelta` / 1000, default 1).
        public var rateWindow: Double = 1
        /// Seconds an idle connection stays open (default 30).
        public var idleTimeout: Double = 30
        /// Seconds idle after which a connection is checked with NOOP before reuse (default 1).
        public var healthCheckAfter: Double = 1

        /// nodemailer's defaults: 5 connections, 100 messages each, no rate limit.
        /// - Parameters:
        ///   - maxConnections: connections open at once (at least 1).
        ///   - maxMessagesPerConnection: messages per connection before it is replaced (at least 1).
        ///   - rateLimit: messages per `rateWindow`, nil for no limit.
        ///   - rateWindow: the rate window in seconds.
        ///   - idleTimeout: seconds an idle connection stays open.
        ///   - healthCheckAfter: seconds idle after which a connection is checked before reuse.
        public init(maxConnections: Int = 5, maxMessagesPerConnection: Int = 100, rateLimit: Int? = nil,
                    rateWindow: Double = 1, idleTimeout: Double = 30, healthCheckAfter: Double = 1) {
            self.maxConnections = max(1, maxConnections)
            self.maxMessagesPerConnection = max(1, maxMessagesPerConnection)
            self.rateLimit = rateLimit
            self.rateWindow = rateWindow
            self.idleTimeout = idleTimeout
            self.healthCheckAfter = healthCheckAfter
        }
    }

    private struct Idle {
        var connection: SMTPConnection
        var since: Date
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let client: SMTPClient
    /// The limits in force.
    public let limits: Limits
    private var idle: [Idle] = []
    /// Connections counted against `maxConnections`: opening, busy, idle or quitting.
    private var counted = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
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
    public var waitingSends: Int { waiters.count }

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
        var (connection, reused) = try await acquire(fresh: false)
        do {
            return try await deliver(connection, envelope: envelope, message: message)
        } catch let error as SMTPError where reused && !error.bodyWasSent && Self.isStaleConnection(error) {
            // The server had dropped the idle connection; nothing of this message was accepted.
            (connection, reused) = try await acquire(fresh: true)
            return try await deliver(connection, envelope: envelope, message: message)
        }
    }

    /// Refuses new sends, lets those in flight finish, then QUITs every connection and waits for
    /// the QUITs. Sends waiting for a connection fail with a clear error.
    public func shutdown() async {
        isShutDown = true
        reaper?.cancel()
        for waiter in waiters { waiter.continuation.resume(throwing: Self.shutDownError) }
        waiters = []
        if inFlight > 0 { await withCheckedContinuation { drained.append($0) } }
        let connections = idle.map(\.connection)
        idle = []
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask { await self.retire(connection, quit: true) }
            }
        }
        // Connections retired earlier (used up, failed, expired) may still be quitting.
        if counted > 0 { await withCheckedContinuation { allClosed.append($0) } }
    }

    /// The same as ``shutdown()``.
    public func close() async {
        await shutdown()
    }

    // MARK: - Connections

    private func deliver(_ connection: SMTPConnection, envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        let (updated, outcome) = await run(connection) { connection in
            connection.send(envelope: envelope, message: message)
        }
        let cancelled = updated.token.isCancelled
        if !cancelled, updated.machine.isReady, updated.machine.messagesDelivered < limits.maxMessagesPerConnection {
            idle.append(Idle(connection: updated, since: Date()))
            scheduleReaper()
            wakeOne()
        } else {
            // Failed, cancelled (its socket may be shut down) or used up: never reused.
            Task { await self.retire(updated, quit: !cancelled && updated.machine.isReady) }
        }
        switch outcome {
        case .delivered(let result): return result  // delivered even if a cancel landed just after
        case .failed(let error): throw error
        default: preconditionFailure("send ended with \(outcome)")
        }
    }

    /// An idle connection (checked when it sat a while), a new one, or the first to come free.
    private func acquire(fresh: Bool) async throws -> (SMTPConnection, reused: Bool) {
        while true {
            guard !isShutDown else { throw Self.shutDownError }
            // A cancelled send must not take (and, by cancelling, shut down) a good idle connection.
            try Task.checkCancellation(or: Self.cancelledWhileWaiting)
            dropExpiredIdle()
            if !fresh, let entry = idle.popLast() {
                if Date().timeIntervalSince(entry.since) < limits.healthCheckAfter { return (entry.connection, true) }
                let (checked, outcome) = await run(entry.connection) { $0.checkAlive() }
                if case .alive = outcome, !checked.token.isCancelled { return (checked, true) }
                Task { await self.retire(checked, quit: false) }
                try Task.checkCancellation(or: SMTPError(.cancelled, phase: .connect, "the send was cancelled"))
                continue
            }
            if counted < limits.maxConnections {
                counted += 1
                do {
                    return (try await open(), false)
                } catch {
                    counted -= 1
                    wakeOne()
                    throw error
                }
            }
            if fresh, let entry = idle.popLast() {
                // Make room for the fresh connection: end an idle one (it counts until its QUIT is done).
                Task { await self.retire(entry.connection, quit: true) }
            }
            try await waitForConnection()
        }
    }

    private func open() async throws -> SMTPConnection {
        let token = CancellationToken()
        let oauthToken = try await client.fetchOAuthToken()
        let configuration = client.configuration, tlsContext = client.tlsContext, hostName = client.hostName
        return try await SMTPConnection.onExecutor(configuration.executor, token: token) {
            try SMTPConnection.open(configuration: configuration, tlsContext: tlsContext, hostName: hostName,
                                    oauthToken: oauthToken, token: token)
        }
    }

    /// Runs one blocking operation on `connection` and returns it, updated, with the outcome.
    private func run(_ connection: SMTPConnection,
                     _ operation: @escaping @Sendable (inout SMTPConnection) -> SMTPClientStateMachine.Outcome)
        async -> (SMTPConnection, SMTPClientStateMachine.Outcome) {
        let executor = client.configuration.executor
        do {
            return try await SMTPConnection.onExecutor(executor, token: connection.token) {
                var connection = connection
                let outcome = operation(&connection)
                return (connection, outcome)
            }
        } catch {
            preconditionFailure("the operation does not throw: \(error)")
        }
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
        counted -= 1
        wakeOne()
        if isShutDown, counted == 0 {
            allClosed.forEach { $0.resume() }
            allClosed = []
        }
    }

    /// Waits for a connection to come free; a cancelled Task stops waiting at once.
    private func waitForConnection() async throws {
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: Self.cancelledWhileWaiting)
                } else {
                    waiters.append(Waiter(id: id, continuation: continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: Self.cancelledWhileWaiting)
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().continuation.resume() }
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

    /// A reused connection the server had already closed: a network error or 421 before the data.
    private static func isStaleConnection(_ error: SMTPError) -> Bool {
        (error.kind == .protocolViolation && error.reply == nil) || error.reply?.code == 421
    }

    private static let shutDownError = SMTPError(.cancelled, phase: .connect, "the connection pool is shut down",
                                                  hint: "Sends are refused once shutdown() was called; make a new connector.")
    private static let cancelledWhileWaiting = SMTPError(.cancelled, phase: .connect, "the send was cancelled while waiting for a connection")
}

private extension Task where Success == Never, Failure == Never {
    /// Throws `error` when the current Task is cancelled.
    static func checkCancellation(or error: SMTPError) throws {
        if Task.isCancelled { throw error }
    }
}
