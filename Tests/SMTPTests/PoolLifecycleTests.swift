import DevServer
import Foundation
import Locking
import NetworkIO
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

/// The pool under cancellation, slow QUITs, dead idle connections and shutdown.
@Suite struct PoolLifecycleTests {
    private func server(_ adjust: (inout DevServerConfiguration) -> Void = { _ in }) throws -> DevServer {
        try DevServer.started(users: ["u": "p"], adjust)
    }

    private func configuration(_ server: DevServer, transcript: (@Sendable (TranscriptLine) -> Void)? = nil) -> SMTPClientConfiguration {
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.credentials = SMTPCredentials(user: "u", password: "p")
        configuration.timeouts = .init(connection: 600, greeting: 600, socket: 600)  // held greetings wait while the test polls
        configuration.transcript = transcript
        return configuration
    }

    private func envelope(_ index: Int) -> SMTPEnvelope {
        SMTPEnvelope(from: "app@example.test", recipients: ["user\(index)@example.test"])
    }

    private let message = Array("Subject: pooled\r\n\r\nhello\r\n".utf8)

    /// Waits for `condition` (polled, at most 60 s of wall time, however busy the machine is).
    static func waitUntil(_ condition: () async -> Bool) async throws {
        try #require(await Waiting.until(condition))
    }

    /// A connection used up by `maxMessages` is QUIT; until the server answers (0.2 s later), it
    /// still counts against `maxConnections`: the second send's connection opens only after the
    /// first one closed. Told by the order of the events on the I/O threads, not by how soon this
    /// Task resumes.
    @Test func aConnectionCountsUntilItsQUITIsDone() async throws {
        let server = try server { $0.replyDelay = 0.2 }
        defer { server.stop() }
        let order = Locked<[String]>([])
        var configuration = configuration(server)
        configuration.events = { event in
            switch event {
            case .phaseFinished(.connect, _, _): order.withLock { $0.append("connected") }
            case .closed(let quit, _): order.withLock { $0.append("closed quit=\(quit)") }
            default: break
            }
        }
        let pool = try SMTPPool(configuration: configuration, limits: .init(maxConnections: 1, maxMessagesPerConnection: 1))
        _ = try await pool.send(envelope: envelope(1), message: message)
        _ = try await pool.send(envelope: envelope(2), message: message)
        try await Self.waitUntil { pool.openConnections == 0 }
        #expect(order.withLock { $0 } == ["connected", "closed quit=true", "connected", "closed quit=true"])
        #expect(server.messages.count == 2)
    }

    @Test func waitingForAConnectionEndsAtOnceWhenCancelled() async throws {
        let server = try server { $0.holdGreetings = true }
        defer { server.stop() }
        let pool = try SMTPPool(configuration: configuration(server), limits: .init(maxConnections: 1))
        let first = Task { try await pool.send(envelope: envelope(1), message: message) }
        try await Self.waitUntil { server.connectionCount == 1 }
        let second = Task { try await pool.send(envelope: envelope(2), message: message) }
        try await Self.waitUntil { pool.waitingSends == 1 }
        second.cancel()
        let error = await #expect(throws: SMTPError.self) { try await second.value }
        #expect(error?.kind == .cancelled)
        #expect(error?.message.contains("waiting for a connection") == true)
        #expect(pool.waitingSends == 0)
        server.releaseGreetings()
        _ = try await first.value
        #expect(server.messages.map(\.recipients) == [["user1@example.test"]])
    }

    @Test func waitingForTheRateLimitEndsAtOnceWhenCancelled() async throws {
        let server = try server()
        defer { server.stop() }
        let pool = try SMTPPool(configuration: configuration(server), limits: .init(maxConnections: 1, rateLimit: 1, rateWindow: 3600))
        _ = try await pool.send(envelope: envelope(1), message: message)
        let second = Task { try await pool.send(envelope: envelope(2), message: message) }
        let start = Date()
        second.cancel()
        let error = await #expect(throws: SMTPError.self) { try await second.value }
        #expect(error?.kind == .cancelled)
        #expect(Date().timeIntervalSince(start) < 60, "cancelled promptly, not after the 3,600 s rate window")
        #expect(server.messages.count == 1)
    }

    @Test func aConnectionWhoseSendWasCancelledIsNeverReused() async throws {
        let server = try server { $0.holdGreetings = true }
        defer { server.stop() }
        let pool = try SMTPPool(configuration: configuration(server), limits: .init(maxConnections: 1))
        let cancelled = Task { try await pool.send(envelope: envelope(1), message: message) }
        try await Self.waitUntil { server.connectionCount == 1 }
        cancelled.cancel()
        _ = await cancelled.result
        server.releaseGreetings()
        _ = try await pool.send(envelope: envelope(2), message: message)
        #expect(server.connectionCount == 2)
        #expect(server.messages.map(\.recipients) == [["user2@example.test"]])
    }

    /// A connection idle past `healthCheckAfter` gets NOOP first; the server had dropped it, so the
    /// pool opens a fresh one and the send succeeds without being retried.
    @Test func aDeadIdleConnectionCostsAFreshConnectionNotAFailedSend() async throws {
        let server = try server()
        defer { server.stop() }
        let lines = Locked<[String]>([])
        let pool = try SMTPPool(configuration: configuration(server) { line in lines.withLock { $0.append(line.description) } },
                                limits: .init(maxConnections: 1, idleTimeout: 3_600, healthCheckAfter: 0.05))
        // The idle timeout is an hour: a loaded machine once stalled past the default 30 s here, and
        // the pool expired the connection before the NOOP this test is about.
        _ = try await pool.send(envelope: envelope(1), message: message)
        server.dropOpenConnections()
        try await Task.sleep(nanoseconds: 100_000_000)  // idle longer than healthCheckAfter (a lower bound only)
        _ = try await pool.send(envelope: envelope(2), message: message)
        #expect(server.messages.count == 2)
        #expect(server.connectionCount == 2)
        let transcript = lines.withLock { $0 }
        #expect(transcript.contains("C: NOOP"))
        #expect(transcript.filter { $0.hasPrefix("C: MAIL FROM") }.count == 2)  // no message was tried on the dead connection
    }

    @Test func shutdownLetsInFlightSendsFinishThenRefusesNewOnes() async throws {
        let server = try server { $0.holdGreetings = true }
        defer { server.stop() }
        let pool = try SMTPPool(configuration: configuration(server), limits: .init(maxConnections: 2))
        let inFlight = Task { try await pool.send(envelope: envelope(1), message: message) }
        try await Self.waitUntil { server.connectionCount == 1 }
        let shutdown = Task { await pool.shutdown() }
        try await Self.waitUntil { pool.isShuttingDown }
        let refused = await #expect(throws: SMTPError.self) { try await pool.send(envelope: envelope(2), message: message) }
        #expect(refused?.message.contains("shut down") == true)
        server.releaseGreetings()
        _ = try await inFlight.value
        await shutdown.value
        #expect(pool.openConnections == 0)
        #expect(server.messages.map(\.recipients) == [["user1@example.test"]])
    }
}
