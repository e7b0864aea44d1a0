import ConnectorKit
import DevServer
import Foundation
import Testing
@testable import SMTPConnector

/// An empty `servername` (what an admin form sends for a blank field) must mean "check `host`",
/// never "check no name": a certificate that chains to a trusted CA but names another host is refused.
@Suite struct ServerNameTests {
    static let password = "never-for-an-impostor"

    /// A server whose certificate is trusted (its PEM is our tls.ca) but issued to mail.example.com only.
    private func impostor() throws -> DevServer {
        let certificate = try SelfSignedCertificate(commonName: "mail.example.com", dnsNames: ["mail.example.com"], ipAddresses: [])
        return try DevServer.started(users: ["app": Self.password]) { $0.certificate = certificate }
    }

    private func config(_ server: DevServer, _ extra: [String: ConfigValue]) -> ConfigValue {
        var object = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM,
                                                extra: ["auth": ["user": "app", "pass": .string(Self.password)]]).objectValue!
        object["tls"] = ["ca": .string(server.certificatePEM)]
        for (key, value) in extra {
            if key == "tls", let members = value.objectValue {
                var tls = object["tls"]!.objectValue!
                for (name, member) in members { tls[name] = member }
                object["tls"] = .object(tls)
            } else {
                object[key] = value
            }
        }
        return .object(object)
    }

    @Test(arguments: [
        ["tls": ["servername": ""]] as [String: ConfigValue],
        ["tls": ["servername": " \t "]],
        ["servername": ""],
        ["servername": "   "],
    ])
    func aBlankServerNameChecksTheHost(_ extra: [String: ConfigValue]) async throws {
        let server = try impostor()
        defer { server.stop() }
        let parsed = try SMTPConnectorConfig.parse(config(server, extra))
        #expect(parsed.tls.serverName == nil)
        let error = try await #require(throws: ConnectorError.self) {
            try await SMTPConnector(config: parsed).send(EmailRequest(to: "ada@example.test", usageType: .generic, payload: ["code": "1"]))
        }
        #expect(error.code == .tlsFailed)
        #expect(error.phase == .tls)
        #expect(error.message.contains("mismatch"))
        #expect(error.hint?.contains("127.0.0.1") == true)
        #expect(server.messages.isEmpty)
    }

    @Test func theSameServerIsAcceptedForTheNameItsCertificateHolds() async throws {
        let server = try impostor()
        defer { server.stop() }
        let parsed = try SMTPConnectorConfig.parse(config(server, ["tls": ["servername": "mail.example.com"]]))
        let connector = try SMTPConnector(config: parsed)
        _ = try await connector.send(EmailRequest(to: "ada@example.test", usageType: .generic, payload: ["code": "1"]))
        #expect(server.messages.count == 1)
    }

    @Test func requireTLSWithoutAnOfferIsATLSFailure() async throws {
        let server = try DevServer.started { $0.tls = .none }
        defer { server.stop() }
        let error = try await #require(throws: ConnectorError.self) {
            try await SMTPConnector(config: try SMTPConnectorConfig.parse(config(server, [:])))
                .send(EmailRequest(to: "ada@example.test", usageType: .generic, payload: ["code": "1"]))
        }
        #expect(error.code == .tlsFailed)
        #expect(error.phase == .ehlo || error.phase == .tls)
    }
}
