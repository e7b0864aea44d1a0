import ConnectorKit
import ConnectorServiceLifecycle
import DevServer
import Foundation
import Logging
import ServiceLifecycle
import SMTPConnector
import Testing

@Suite struct ConnectorServiceTests {
    static let templates: ConfigValue = .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
        ["usageType": .string($0), "contentType": "text/plain", "subject": "Code {{code}}", "content": "{{code}}"]
    })

    /// The group shuts down while a send is in flight (the server holds its greeting): the send
    /// still finishes and is delivered, a send after the trigger is refused with shut_down, and the
    /// group ends once the connector is shut down.
    @Test func gracefulShutdownLetsTheSendInFlightFinishAndRefusesNewOnes() async throws {
        var configuration = DevServerConfiguration()
        configuration.tls = .none
        configuration.holdGreetings = true
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let connector = try SMTPConnector(config: SMTPConnectorConfig.parse([
            "host": "127.0.0.1", "port": .number(Double(server.port)), "ignoreTLS": true,
            "fromEmail": "app@example.test", "templates": Self.templates,
        ]))
        let group = ServiceGroup(services: [ConnectorService(connector)], logger: Logger(label: "test"))
        let running = Task { try await group.run() }

        let inFlight = Task { try await connector.send(EmailRequest(to: "bob@example.test", usageType: .signIn, payload: ["code": "1"])) }
        // The send is in flight once the server holds its connection.
        try await waitUntil { server.connectionCount == 1 }

        await group.triggerGracefulShutdown()
        try await waitUntil { connector.isShutDown }  // the service has called shutdown()
        do {
            _ = try await connector.send(EmailRequest(to: "late@example.test", usageType: .signIn, payload: ["code": "2"]))
            Issue.record("a send after shutdown went through")
        } catch let error as ConnectorError {
            #expect(error.code == .shutDown)
        }

        server.releaseGreetings()
        let receipt = try await inFlight.value
        #expect(receipt.accepted == ["bob@example.test"])
        try await running.value
        #expect(server.messages.map(\.recipients) == [["bob@example.test"]])
    }
}

/// Waits (up to 60 s, checking every 10 ms) until `condition` holds.
func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimeout() }
        try await Task.sleep(for: .milliseconds(10))
    }
}

struct WaitTimeout: Error {}
