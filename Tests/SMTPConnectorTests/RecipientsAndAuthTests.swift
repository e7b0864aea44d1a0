import ConnectorKit
import DevServer
import Foundation
import SMTP
import SMTPWire
import Testing
import TestSupport
@testable import SMTPConnector

@Suite struct RecipientsAndAuthTests {

    private func config(_ server: DevServer, auth: ConfigValue = ["user": "app", "pass": "pw"]) -> ConfigValue {
        [
            "host": "127.0.0.1", "port": .number(Double(server.port)), "fromEmail": "app@example.test", "requireTLS": true,
            "tls": ["ca": .string(server.certificatePEM), "servername": "localhost"],
            "auth": auth,
            "templates": .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
                ["usageType": .string($0), "contentType": "text/plain", "subject": "Code {{code}}", "content": "Code {{code}}"]
            }),
        ]
    }

    @Test func ccIsAHeaderAndBccStaysInTheEnvelopeOnly() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let receipt = try await SMTPConnectorFactory().makeConnector(config: config(server)).send(
            EmailRequest(to: ["to@example.test"], usageType: .signIn, payload: ["code": "1"],
                         cc: ["Carol <cc@example.test>"], bcc: ["hidden@example.test", "TO@example.test"]))
        #expect(receipt.accepted == ["to@example.test", "cc@example.test", "hidden@example.test"])
        #expect(receipt.envelope == .init(from: "app@example.test", to: ["to@example.test", "cc@example.test", "hidden@example.test"]))
        let message = try #require(server.messages.first)
        #expect(message.recipients == ["to@example.test", "cc@example.test", "hidden@example.test"])
        let parsed = try await TestSupport.parseWithPython(message.data)
        #expect(parsed.headers(named: "Cc") == ["Carol <cc@example.test>"])
        #expect(parsed.headers(named: "Bcc").isEmpty)
        #expect(!message.text.contains("hidden@example.test"))
    }

    @Test func oauth2AccessTokenFromTheConfig() async throws {
        let server = try DevServer.started { $0.oauthTokens = ["me@example.test": "token-abc"] }
        defer { server.stop() }
        let connector = try SMTPConnectorFactory().makeConnector(
            config: config(server, auth: ["type": "oauth2", "user": "me@example.test", "accessToken": "token-abc"]))
        _ = try await connector.send(EmailRequest(to: "a@example.test", usageType: .signIn, payload: ["code": "1"]))
        #expect(server.messages.first?.authenticatedUser == "me@example.test")
    }

    @Test func oauth2TokensFromTheHostsProviderAreAskedPerConnection() async throws {
        let server = try DevServer.started { $0.oauthTokens = ["me@example.test": "fresh-token"] }
        defer { server.stop() }
        let asked = TestSupport.LineCollector()
        let factory = SMTPConnectorFactory(tokenProvider: { user in
            asked.append(user)
            return "fresh-token"
        })
        let connector = try factory.makeConnector(config: config(server, auth: ["type": "oauth2", "user": "me@example.test"]))
        for _ in 0..<2 {
            _ = try await connector.send(EmailRequest(to: "a@example.test", usageType: .signIn, payload: ["code": "1"]))
        }
        #expect(asked.all == ["me@example.test", "me@example.test"])
        #expect(server.messages.count == 2)
    }

    @Test func aRefusedTokenIsAuthorizationFailedWithoutTheToken() async throws {
        let server = try DevServer.started { $0.oauthTokens = ["me@example.test": "good"] }
        defer { server.stop() }
        let connector = try SMTPConnectorFactory().makeConnector(
            config: config(server, auth: ["type": "oauth2", "user": "me@example.test", "accessToken": "expired-secret-token"]))
        let error = try await #require(throws: ConnectorError.self) {
            try await connector.send(EmailRequest(to: "a@example.test", usageType: .signIn, payload: ["code": "1"]))
        }
        #expect(error.code == .authorizationFailed)
        #expect(error.hint?.contains("token") == true)
        #expect(!"\(error)".contains("expired-secret-token"))
    }
}

@Suite struct ErrorMappingTests {
    @Test func errorClassesMapToLogtoCodes() {
        let unknown = SMTPError(.protocolViolation, phase: .data, "lost", outcomeUnknown: true)
        #expect(ConnectorError(unknown, preset: nil).code == .outcomeUnknown)
        #expect(!ConnectorError(unknown, preset: nil).isTransient)
        let limited = SMTPError(.rejected, phase: .rcpt, "x", reply: SMTPReply(code: 452, enhancedCode: "4.5.3", lines: ["Too many recipients received this hour"]))
        #expect(ConnectorError(limited, preset: nil).code == .rateLimitExceeded)
        #expect(ConnectorError(limited, preset: nil).isTransient)
        let rejected = SMTPError(.rejected, phase: .data, "x", reply: SMTPReply(code: 554, lines: ["spam"]))
        #expect(ConnectorError(rejected, preset: nil).code == .invalidResponse)
        let timeout = SMTPError(.timeout, phase: .greeting, "slow")
        #expect(ConnectorError(timeout, preset: nil).code == .socketError)
    }
}

@Suite struct PooledConnectorTests {
    @Test func poolTrueReusesConnectionsAndHonoursMaxMessages() async throws {
        var configuration = DevServerConfiguration()
        configuration.users = ["app": "pw"]
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        config["pool"] = true
        config["maxConnections"] = 1
        config["maxMessages"] = 2
        config["keepAlive"] = 600_000  // the pool's idle time: never expired between two sends here
        let connector = try SMTPConnectorFactory().makeConnector(config: .object(config))
        for index in 0..<5 {
            _ = try await connector.send(EmailRequest(to: "user\(index)@example.org", usageType: .generic, payload: ["code": "1"]))
        }
        #expect(server.messages.count == 5)
        #expect(server.connectionCount == 3)
    }

    @Test func aPresetsConnectionLimitCapsMaxMessages() throws {
        let config = try SMTPConnectorConfig.parse(["host": "smtp.example.com", "fromEmail": "a@b.c", "pool": true,
                                                    "templates": .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
                                                        ["usageType": .string($0), "contentType": "text/plain", "subject": "s", "content": "c"] })])
        #expect(config.pool == SMTPConnectorConfig.Pool())
        #expect(config.pool?.maxMessagesPerConnection == 100)
    }
}
