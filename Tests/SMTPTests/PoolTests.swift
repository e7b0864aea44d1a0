import DevServer
import Foundation
import Locking
import NetworkIO
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

@Suite struct PoolTests {
    private func server(_ adjust: (inout DevServerConfiguration) -> Void = { _ in }) throws -> DevServer {
        try DevServer.started(users: ["u": "p"], adjust)
    }

    private func pool(_ server: DevServer, _ limits: SMTPPool.Limits) throws -> SMTPPool {
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.credentials = SMTPCredentials(user: "u", password: "p")
        configuration.timeouts = .init(connection: 60, greeting: 60, socket: 60)
        // Connection counts are what these tests check: an idle connection must never expire
        // between two sends, however long a loaded machine stalls (the default is 30 s).
        var limits = limits
        limits.idleTimeout = 3_600
        return try SMTPPool(configuration: configuration, limits: limits)
    }

    private func envelope(_ index: Int, from: String = "app@example.test") -> SMTPEnvelope {
        SMTPEnvelope(from: from, recipients: ["user\(index)@example.test"])
    }

    private let message = Array("Subject: pooled\r\n\r\nhello\r\n".utf8)

    @Test func sequentialSendsReuseOneConnection() async throws {
        let server = try server()
        defer { server.stop() }
        let pool = try pool(server, .init(maxConnections: 1))
        for index in 0..<10 { _ = try await pool.send(envelope: envelope(index), message: message) }
        #expect(server.messages.count == 10)
        #expect(server.connectionCount == 1)
        await pool.close()
    }

    @Test func aConnectionCarriesAtMostMaxMessages() async throws {
        let server = try server()
        defer { server.stop() }
        let pool = try pool(server, .init(maxConnections: 1, maxMessagesPerConnection: 3))
        for index in 0..<10 { _ = try await pool.send(envelope: envelope(index), message: message) }
        #expect(server.messages.count == 10)
        #expect(server.connectionCount == 4)
    }

    @Test func concurrentSendsStayWithinMaxConnections() async throws {
        let server = try server()
        defer { server.stop() }
        let pool = try pool(server, .init(maxConnections: 3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask { _ = try await pool.send(envelope: envelope(index), message: message) }
            }
            try await group.waitForAll()
        }
        #expect(server.messages.count == 30)
        #expect(server.peakConcurrentConnections <= 3)
        #expect(server.connectionCount <= 3)
    }

    @Test func aConnectionTheServerDroppedIsReplacedAndTheMessageRetriedOnce() async throws {
        let server = try server()
        defer { server.stop() }
        let pool = try pool(server, .init(maxConnections: 1))
        _ = try await pool.send(envelope: envelope(1), message: message)
        server.dropOpenConnections()
        try await Task.sleep(nanoseconds: 100_000_000)
        _ = try await pool.send(envelope: envelope(2), message: message)
        #expect(server.messages.map(\.recipients) == [["user1@example.test"], ["user2@example.test"]])
        #expect(server.connectionCount == 2)
    }

    @Test func aRejectedMessageLeavesTheConnectionUsable() async throws {
        let server = try server { $0.allowedSenders = ["app@example.test"] }
        defer { server.stop() }
        let pool = try pool(server, .init(maxConnections: 1))
        await #expect(throws: SMTPError.self) {
            try await pool.send(envelope: envelope(1, from: "intruder@example.test"), message: message)
        }
        _ = try await pool.send(envelope: envelope(2), message: message)
        #expect(server.messages.count == 1)
        #expect(server.connectionCount == 1)
    }

    @Test func rateLimitSpacesMessages() async throws {
        let server = try server()
        defer { server.stop() }
        let pool = try pool(server, .init(maxConnections: 2, rateLimit: 2, rateWindow: 0.5))
        let start = Date()
        for index in 0..<6 { _ = try await pool.send(envelope: envelope(index), message: message) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.95, "6 messages at 2 per 0.5 s took only \(elapsed) s")
        #expect(server.messages.count == 6)
    }

    @Test func idleConnectionsAreClosed() async throws {
        let server = try server()
        defer { server.stop() }
        // When the last phase of the send ended, and when the connection closed: both stamped on
        // the I/O thread, so a busy machine that resumes this test late cannot blur them.
        let stamps = Locked<(delivered: ContinuousClock.Instant?, closed: ContinuousClock.Instant?)>((nil, nil))
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.credentials = SMTPCredentials(user: "u", password: "p")
        configuration.events = { event in
            switch event {
            case .phaseFinished(let phase, _, _) where phase != .quit: stamps.withLock { $0.delivered = .now }
            case .closed: stamps.withLock { $0.closed = .now }
            default: break
            }
        }
        let pool = try SMTPPool(configuration: configuration, limits: .init(maxConnections: 2, idleTimeout: 0.2))
        _ = try await pool.send(envelope: envelope(1), message: message)
        // The timer closes it after 0.2 s idle; wait for that (an event), however busy the machine is.
        try await PoolLifecycleTests.waitUntil { pool.openConnections == 0 }
        let (delivered, closed) = stamps.withLock { $0 }
        let idle = try #require(delivered).duration(to: try #require(closed))
        #expect(idle >= .seconds(0.19), "closed by its idle timeout (0.2 s), not before: \(idle)")
        #expect(server.connectionCount == 1)
    }
}
