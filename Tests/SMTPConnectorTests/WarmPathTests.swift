import ConnectorKit
import DevServer
import Foundation
import Locking
import Testing
import TestSupport
@testable import SMTPConnector

/// `keepAlive` without `pool`: the next send within the time takes the last send's connection;
/// without it, every send has a connection of its own (Logto's `pool: false`).
@Suite struct WarmPathTests {
    private func request(_ index: Int) -> EmailRequest {
        EmailRequest(to: "user\(index)@example.org", usageType: .generic, payload: ["code": .string("\(index)")])
    }

    private func connector(_ server: DevServer, _ extra: [String: ConfigValue],
                           events: ConnectorEventHandler = .none) throws -> SMTPConnector {
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        for (key, value) in extra { config[key] = value }
        return try SMTPConnector(config: SMTPConnectorConfig.parse(.object(config)), events: events)
    }

    @Test func sendsWithinKeepAliveShareOneConnection() async throws {
        let server = try DevServer.started { _ in }
        defer { server.stop() }
        let connector = try connector(server, ["keepAlive": 60_000])
        for index in 0..<3 { _ = try await connector.send(request(index)) }
        #expect(server.messages.count == 3)
        #expect(server.connectionCount == 1)
        await connector.shutdown()

        let fresh = try self.connector(server, [:])
        for index in 3..<5 { _ = try await fresh.send(request(index)) }
        #expect(server.messages.count == 5)
        #expect(server.connectionCount == 3)  // one more each
    }

    @Test func afterKeepAliveTheConnectionIsClosedAndTheNextSendConnects() async throws {
        let server = try DevServer.started { _ in }
        defer { server.stop() }
        let closed = Locked(0)
        let events = ConnectorEventHandler { event in
            if event.name == .connectionClosed { closed.withLock { $0 += 1 } }
        }
        let connector = try connector(server, ["keepAlive": 200], events: events)
        _ = try await connector.send(request(0))
        // The idle connection is closed once 200 ms pass: an event, whenever it comes.
        try #require(await Waiting.until { closed.withLock { $0 } == 1 })
        _ = try await connector.send(request(1))
        #expect(server.messages.count == 2)
        #expect(server.connectionCount == 2)
        await connector.shutdown()
    }

    @Test func keepAliveIsCheckedAndSetsAPoolsIdleTime() throws {
        let base: [String: ConfigValue] = [
            "host": "smtp.example.com", "fromEmail": "a@b.c",
            "templates": .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
                ["usageType": .string($0), "contentType": "text/plain", "subject": "s", "content": "c"] }),
        ]
        var config = base
        config["keepAlive"] = 0
        #expect(throws: (any Error).self) { try SMTPConnectorConfig.parse(.object(config)) }
        config["keepAlive"] = 1500
        config["pool"] = true
        let pooled = try SMTPConnectorConfig.parse(.object(config))
        #expect(pooled.pool?.idleTimeout == 1.5)
        #expect(try SMTPConnectorConfig.parse(.object(base)).keepAlive == nil)
    }
}
