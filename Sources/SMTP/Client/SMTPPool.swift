import SMTPWire
import Foundation

/// Keeps up to `maxConnections` authenticated connections open and sends over them, like
/// nodemailer's `pool: true`.
///
/// - A connection carries at most `maxMessagesPerConnection` messages, then is closed with QUIT.
/// - A connection that failed (network error, timeout, 421, cancellation) is never reused.
/// - After a rejected message the transaction is reset (RSET) before the connection is reused.
/// - A message that fails on a *reused* connection before its body was sent (the server had
///   closed an idle connection) is retried once on a fresh connection; a message whose body was
///   sent is never retried.
/// - `rateLimit` messages per `rateWindow` seconds at most, across all connections.
/// - Connections idle for `idleTimeout` seconds are closed.
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

        /// nodemailer's defaults: 5 connections, 100 messages each, no rate limit.
        public init(maxConnections: Int = 5, maxMessagesPerConnection: Int = 100, rateLimit: Int? = nil,
                    rateWindow: Double = 1, idleTimeout: Double = 30) {
            self.maxConnections = max(1, maxConnections)
            self.maxMessagesPerConnection = max(1, maxMessagesPerConnection)
            self.rateLimit = rateLimit
            self.rateWindow = rateWindow
            self.idleTimeout = idleTimeout
        }
    }

    /// An open connection and the thread that does its blocking work.
    struct Connection {
        var session: SMTPSession
        var worker: SessionWorker

        /// Runs blocking session work on the connection's own thread.
        func run<T: Sendable>(_ body: @escaping @Sendable (SMTPSession) throws -> T) async throws -> T {
            let session = self.session
            return try await worker.run(handle: session.cancellation) { try body(session) }
        }

        /// QUIT, then end the thread.
        func close() { let session = self.session; worker.finish { session.close() } }

        /// Close at once (no QUIT), then end the thread.
        func abort() { session.abort(); worker.stop() }
    }

    private struct Idle {
        var connection: Connection
        var since: Date
    }

    private let client: SMTPClient
    /// The limits in force.
    public let limits: Limits
    private var idle: [Idle] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var recentSends: [Date] = []
    private var reaperScheduled = false

    /// Creates a pool; connections open on first use.
    /// - Throws: ``SMTPError`` when the TLS settings cannot be loaded.
    public init(configuration: SMTPClientConfiguration, limits: Limits = Limits()) throws {
        client = try SMTPClient(configuration: configuration)
        self.limits = limits
    }

    deinit {
        for entry in idle { entry.connection.abort() }
    }

    /// Connections currently open (idle or busy).
    public var openConnections: Int { open }

    /// Sends over an idle connection, or a new one when fewer than `maxConnections` are open,
    /// or waits for one to come free.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        try envelope.validate()
        try await waitForRate()
        var (connection, reused) = try await acquire()
        do {
            return try await deliver(connection, envelope: envelope, message: message)
        } catch let error as SMTPError where reused && !error.bodyWasSent && Self.isStaleConnection(error) {
            // The server closed the idle connection; nothing of this message was accepted.
            (connection, reused) = try await acquire(fresh: true)
            return try await deliver(connection, envelope: envelope, message: message)
        }
    }

    /// Closes every idle connection with QUIT.
    public func close() async {
        let connections = idle.map(\.connection)
        idle = []
        open -= connections.count
        for connection in connections {
            _ = try? await connection.run { $0.close() }
            connection.worker.stop()
        }
    }

    private func deliver(_ connection: Connection, envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        do {
            let result = try await connection.run { try $0.send(envelope: envelope, message: message) }
            release(connection, usable: true)
            return result
        } catch let error as SMTPError where error.reply != nil && error.reply?.code != 421 && !error.outcomeUnknown {
            // A clean rejection: the connection is in sync once the transaction is reset.
            let usable = (try? await connection.run { try $0.reset() }) != nil
            release(connection, usable: usable)
            throw error
        } catch {
            release(connection, usable: false)
            throw error
        }
    }

    private func acquire(fresh: Bool = false) async throws -> (Connection, reused: Bool) {
        while true {
            dropExpiredIdle()
            if !fresh, let entry = idle.popLast() { return (entry.connection, true) }
            if open < limits.maxConnections {
                open += 1
                let session: SMTPSession
                do {
                    session = try await client.makeSession()
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
                let connection = Connection(session: session, worker: SessionWorker(name: "smtp-pool-connection"))
                do {
                    try await connection.run { try $0.open() }
                    return (connection, false)
                } catch {
                    connection.abort()
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            if fresh, let entry = idle.popLast() {
                // Make room for the fresh connection by closing an idle one.
                entry.connection.abort()
                open -= 1
                continue
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ connection: Connection, usable: Bool) {
        if usable, connection.session.messagesSent < limits.maxMessagesPerConnection {
            idle.append(Idle(connection: connection, since: Date()))
            scheduleIdleCheck()
        } else {
            open -= 1
            if usable {
                connection.close()  // QUIT after maxMessages
            } else {
                connection.abort()
            }
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    private func dropExpiredIdle() {
        let now = Date()
        let (expired, fresh) = idle.reduce(into: ([Idle](), [Idle]())) { result, entry in
            if now.timeIntervalSince(entry.since) >= limits.idleTimeout { result.0.append(entry) } else { result.1.append(entry) }
        }
        guard !expired.isEmpty else { return }
        idle = fresh
        open -= expired.count
        for entry in expired { entry.connection.close() }
    }

    /// One reaper at a time: it sleeps an idle timeout, closes what expired, and goes again while
    /// connections are idle.
    private func scheduleIdleCheck() {
        guard !reaperScheduled else { return }
        reaperScheduled = true
        let delay = limits.idleTimeout
        Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000) + 10_000_000)
            await self?.reap()
        }
    }

    private func reap() {
        reaperScheduled = false
        dropExpiredIdle()
        if !idle.isEmpty { scheduleIdleCheck() }
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
            try await Task.sleep(nanoseconds: UInt64(max(0.001, wait) * 1_000_000_000))
        }
    }

    /// A reused connection the server had already closed: a network error or 421 before the body.
    private static func isStaleConnection(_ error: SMTPError) -> Bool {
        (error.kind == .protocolViolation && error.reply == nil) || error.reply?.code == 421
    }
}
