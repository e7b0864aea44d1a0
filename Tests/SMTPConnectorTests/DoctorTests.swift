import ConnectorKit
import DevServer
import Foundation
import SMTP
import SMTPWire
import Testing
import TestSupport
@testable import SMTPConnector

/// `doctor` against servers set up with one mistake each.
@Suite struct DoctorTests {

    private func diagnose(_ server: DevServer, _ changes: [String: ConfigValue] = [:]) async throws -> ConnectorDiagnosis {
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM,
                                                extra: ["greetingTimeout": 60000, "connectionTimeout": 60000, "socketTimeout": 60000]).objectValue!
        for (key, value) in changes { config[key] = value }
        return try await SMTPConnector(config: SMTPConnectorConfig.parse(.object(config))).diagnose()
    }

    private func failed(_ diagnosis: ConnectorDiagnosis) -> ConnectorDiagnosis.Step? {
        diagnosis.steps.first { $0.status == .fail }
    }

    /// A diagnosis that probed nothing proved nothing: it is not ok (a failover of no members, or a
    /// connector whose probe returned no step).
    @Test func anEmptyDiagnosisIsNotOK() {
        #expect(!ConnectorDiagnosis(steps: []).ok)
        #expect(!ConnectorDiagnosis(steps: [], members: [.init(index: 0, name: "x", diagnosis: ConnectorDiagnosis(steps: []))]).ok)
        #expect(ConnectorDiagnosis(steps: [.init(name: "https", status: .pass, milliseconds: 1, detail: "")]).ok)
        #expect(!SMTPDiagnosis(steps: []).ok)
    }

    @Test func aGoodConfigPassesEveryStepAndSendsNothing() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let diagnosis = try await diagnose(server)
        #expect(diagnosis.ok)
        #expect(diagnosis.steps.map(\.name) == ["dns", "connect", "greeting", "ehlo", "starttls", "auth", "mail", "quit"])
        #expect(diagnosis.steps.first { $0.name == "starttls" }?.detail.contains("certificate verified for localhost") == true)
        #expect(diagnosis.steps.first { $0.name == "mail" }?.detail.contains("<no-reply@example.com> accepted") == true)
        #expect(server.messages.isEmpty)
    }

    @Test func doctorSaysVerifiedOnlyForTheNameItChecked() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        // A blank servername means host (127.0.0.1 is in the DevServer's certificate): checked for that.
        let blank = try await diagnose(server, ["tls": ["ca": .string(server.certificatePEM), "servername": " "]])
        let detail = try #require(blank.steps.first { $0.name == "starttls" }?.detail)
        #expect(detail.contains("certificate verified for 127.0.0.1"))
        let unchecked = try await diagnose(server, ["tls": ["ca": .string(server.certificatePEM), "rejectUnauthorized": false]])
        let uncheckedDetail = try #require(unchecked.steps.first { $0.name == "starttls" }?.detail)
        #expect(uncheckedDetail.contains("NOT verified"))
        #expect(!uncheckedDetail.contains("verified for"))
    }

    @Test func secureTrueAgainstASTARTTLSPort() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let step = try #require(failed(try await diagnose(server, ["secure": true, "requireTLS": false])))
        #expect(step.name == "tls")
        #expect(step.hint?.contains("set secure to false") == true)
    }

    @Test func secureFalseAgainstAnImplicitTLSPort() async throws {
        let server = try DevServer.started { $0.tls = .implicit }
        defer { server.stop() }
        // The greeting never comes (the server waits for a ClientHello): the timeout is what ends it.
        let step = try #require(failed(try await diagnose(server, ["greetingTimeout": 1500])))
        #expect(step.name == "greeting")
        #expect(step.hint == "Port \(server.port) expects implicit TLS: set secure to true.")
    }

    @Test func wrongCertificateName() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let step = try #require(failed(try await diagnose(server, ["tls": ["ca": .string(server.certificatePEM), "servername": "mail.example.net"]])))
        #expect(step.name == "starttls")
        #expect(step.detail.contains("hostname mismatch"))
        #expect(step.hint?.contains("tls.ca") == true)
    }

    @Test func wrongPassword() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let step = try #require(failed(try await diagnose(server, ["auth": ["user": "app", "pass": "nope"]])))
        #expect(step.name == "auth")
        #expect(step.detail.contains("535 5.7.8"))
        #expect(!step.detail.contains("nope"))
    }

    @Test func aProvidersReplyHintReplacesTheGenericOne() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        var config = try SMTPConnectorConfig.parse(ContentAndDKIMTests.config(
            port: server.port, caPEM: server.certificatePEM, extra: ["auth": ["user": "app", "pass": "nope"]]))
        config.preset = Preset(id: "test", name: "Test", description: "", docs: "", defaults: [:],
                               replyHints: [.init(code: 535, enhancedCode: "5.7.8", hint: "Use the provider's app password.")])
        let step = try #require(failed(await SMTPConnector(config: config).diagnose()))
        #expect(step.reply?.hasPrefix("535 5.7.8") == true)
        #expect(step.hint == "Use the provider's app password.")
    }

    @Test func senderTheAccountMayNotUse() async throws {
        let server = try DevServer.started { $0.allowedSenders = ["someone-else@example.com"] }
        defer { server.stop() }
        let step = try #require(failed(try await diagnose(server)))
        #expect(step.name == "mail")
        #expect(step.detail.contains("553 5.7.1"))
        #expect(step.hint?.contains("verified sender") == true)
    }

    @Test func closedPortAndUnknownHost() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let refusing = try RefusingPort()  // refuses at once, and no parallel test can take it meanwhile
        let closed = try #require(failed(try await diagnose(server, ["port": .number(Double(refusing.port))])))
        #expect(closed.name == "connect")
        let unknown = try #require(failed(try await diagnose(server, ["host": "no-such-host.invalid"])))
        #expect(unknown.name == "dns")
    }
}
