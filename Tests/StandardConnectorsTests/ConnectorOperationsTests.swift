import ConnectorKit
import DevServer
import Foundation
import StandardConnectors
import Testing
import TestSupport

/// The operations the CLI and the console share, for the built-in connectors, failover and a
/// third party's connector registered beside them.
@Suite struct ConnectorOperationsTests {
    /// A third party's connector that can diagnose: its probe fails at a step named "api".
    struct ProbeConnector: DiagnosableConnector {
        static let metadata = ConnectorMetadata(id: "probe", name: "Probe", description: "A connector with a diagnosis.")
        var metadata: ConnectorMetadata { Self.metadata }
        func send(_ request: EmailRequest) async throws -> SendReceipt {
            throw ConnectorError(.general, "the probe connector does not send")
        }
        func diagnose() async -> ConnectorDiagnosis {
            ConnectorDiagnosis(steps: [.init(name: "dns", status: .pass, milliseconds: 1, detail: "api.probe.example -> 192.0.2.1"),
                                       .init(name: "api", status: .fail, milliseconds: 2, detail: "401 Unauthorized",
                                             hint: "Create an API key with the mail.send scope.", reply: "401")])
        }
    }

    struct ProbeFactory: ConnectorFactory {
        var metadata: ConnectorMetadata { ProbeConnector.metadata }
        func validate(_ config: ConfigValue) -> [ConfigIssue] { [] }
        func makeConnector(config: ConfigValue) throws -> any EmailConnector { ProbeConnector() }
    }

    struct RecordingFactory: ConnectorFactory {
        var metadata: ConnectorMetadata { RecordingConnector().metadata }
        func validate(_ config: ConfigValue) -> [ConfigIssue] { [] }
        func makeConnector(config: ConfigValue) throws -> any EmailConnector { RecordingConnector() }
    }

    /// The standard registry with the two third-party connectors added.
    static var operations: ConnectorOperations {
        var registry = ConnectorRegistry.standard(presets: .standard)
        registry.register(ProbeFactory())
        registry.register(RecordingFactory())
        registry.register(FailoverConnectorFactory(members: registry))
        return ConnectorOperations(registry: registry)
    }

    @Test func aThirdPartyConnectorsDiagnosisComesThroughAsItGaveIt() async throws {
        let diagnosis = try await Self.operations.diagnose([:], connector: "probe")
        #expect(diagnosis == (await ProbeConnector().diagnose()))
        #expect(!diagnosis.ok)
        #expect(diagnosis.failedStep?.name == "api")
        let json = try #require(diagnosis.jsonValue["steps"]?.arrayValue)
        #expect(json.count == 2)
        #expect(json[1]["hint"]?.stringValue == "Create an API key with the mail.send scope.")
        #expect(json[1]["reply"]?.stringValue == "401")
    }

    @Test func aConnectorWithoutADiagnosisIsRefusedWithAHint() async throws {
        let error = try await #require(throws: ConnectorError.self) { try await Self.operations.diagnose([:], connector: "recording") }
        #expect(error.message.contains("recording connector offers no diagnosis"))
        #expect(error.hint?.contains("DiagnosableConnector") == true)
        let unknown = try #require(throws: ConnectorError.self) { try Self.operations.validate([:], connector: "nope") }
        #expect(unknown.message.contains("\"nope\""))
        #expect(unknown.hint?.contains("probe") == true)
    }

    @Test func failoverDiagnosesEveryMemberInOrder() async throws {
        let good = try FailoverTests.server(), other = try FailoverTests.server()
        defer { good.stop(); other.stop() }
        let config: ConfigValue = ["failover": [FailoverTests.member(good), FailoverTests.member(other, password: "wrong"),
                                                ["connector": "recording"]]]
        let diagnosis = try await Self.operations.diagnose(config)
        #expect(diagnosis.steps.isEmpty)
        #expect(diagnosis.members.map(\.index) == [0, 1, 2])
        #expect(diagnosis.members.map(\.name) == ["smtp", "smtp", "recording"])
        #expect(diagnosis.members[0].diagnosis.ok, "\(diagnosis.members[0].diagnosis.steps)")
        #expect(diagnosis.members[1].diagnosis.failedStep?.name == "auth")
        #expect(diagnosis.members[1].diagnosis.failedStep?.reply?.hasPrefix("535") == true)
        #expect(diagnosis.members[2].diagnosis.steps.map(\.status) == [.skip])
        #expect(!diagnosis.ok)
        let members = try #require(diagnosis.jsonValue["members"]?.arrayValue)
        #expect(members[1]["memberIndex"] == .number(1))
        #expect(members[1]["ok"] == .bool(false))
        #expect(good.messages.isEmpty && other.messages.isEmpty, "a diagnosis sends nothing")
    }

    @Test func sendTestDeliversOnceAndValidateResolvesThePreset() async throws {
        let server = try FailoverTests.server()
        defer { server.stop() }
        let request = EmailRequest(to: "ada@example.test", usageType: .signIn, payload: ["code": "135790"])
        let receipt = try await Self.operations.sendTest(request, config: FailoverTests.member(server))
        #expect(receipt.accepted == ["ada@example.test"])
        #expect(server.messages.count == 1)
        #expect(server.messages.first?.text.contains("Your code is 135790") == true)

        let check = try Self.operations.validate(["preset": "gmail", "auth": ["user": "a@gmail.com", "pass": "app-password"],
                                                  "templates": FailoverTests.templates])
        #expect(check.isValid, "\(check.issues)")
        #expect(check.connectorID == "smtp")
        #expect(check.resolution?.config["host"]?.stringValue == "smtp.gmail.com")
    }

    @Test func previewNeedsTemplatesAndSaysWhyForFailover() async throws {
        let server = try FailoverTests.server()
        defer { server.stop() }
        let previews = try await Self.operations.preview(FailoverTests.member(server), payload: ["code": "1"])
        #expect(previews.map(\.usageType) == UsageType.allCases)
        #expect(previews.allSatisfy { $0.selection != nil && $0.subject == "Code" })
        let error = try await #require(throws: ConnectorError.self) {
            try await Self.operations.preview(["failover": [FailoverTests.member(server)]])
        }
        #expect(error.hint?.contains("preview a member's config") == true)
    }
}
