import ConnectorKit
import DevServer
import Foundation
import Testing
import TestSupport
@testable import SMTPConnector

/// `shutdown()`: new sends fail at once, sends in flight finish, pooled connections are QUIT.
@Suite struct LifecycleTests {
    private let request = EmailRequest(to: "ada@example.test", usageType: .generic, payload: ["code": "1"])

    private func connector(_ server: DevServer, _ extra: [String: ConfigValue] = [:]) throws -> SMTPConnector {
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        for (key, value) in extra { config[key] = value }
        return try SMTPConnector(config: SMTPConnectorConfig.parse(.object(config)))
    }

    /// Waits for `condition` (polled, at most 60 s of wall time).
    static func waitUntil(_ condition: () -> Bool) async throws {
        try #require(await Waiting.until { condition() })
    }

    @Test(arguments: [false, true])
    func shutdownDrainsThenRefuses(_ pooled: Bool) async throws {
        let server = try DevServer.started { $0.holdGreetings = true }
        defer { server.stop() }
        let connector = try connector(server, pooled ? ["pool": true] : [:])
        let inFlight = Task { try await connector.send(request) }
        try await Self.waitUntil { server.connectionCount == 1 }
        let shutdown = Task { await connector.shutdown() }
        try await Self.waitUntil { connector.isShutDown }
        // Refused at once, while the first send is still held at the greeting.
        let refused = await #expect(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(refused?.code == .shutDown)
        #expect(refused?.hint?.contains("new connector") == true)
        server.releaseGreetings()
        _ = try await inFlight.value
        await shutdown.value
        #expect(server.messages.count == 1)
    }

    @Test func cancellingASendWaitingForTheRateLimitIsAConnectorError() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let connector = try connector(server, ["pool": true, "rateLimit": 1, "rateDelta": 3_600_000])
        _ = try await connector.send(request)
        let waiting = Task { try await connector.send(request) }
        waiting.cancel()
        let error = await #expect(throws: ConnectorError.self) { try await waiting.value }
        #expect(error?.code == .cancelled)
        await connector.shutdown()
        #expect(server.messages.count == 1)
    }
}
