@testable import Console
import ConnectorKit
import Foundation
import Presets
import StandardConnectors
import Testing

/// Diagnose in the console goes through the operations the CLI's `doctor` uses, so a third
/// party's connector gets it as the built-in ones do.
@Suite struct ConsoleDiagnosisTests {
    struct APIProbe: DiagnosableConnector {
        var metadata: ConnectorMetadata { ConnectorMetadata(id: "api-probe", name: "API probe", description: "A third party's connector.") }
        func send(_ request: EmailRequest) async throws -> SendReceipt { throw ConnectorError(.general, "does not send") }
        func diagnose() async -> ConnectorDiagnosis {
            ConnectorDiagnosis(steps: [.init(name: "https", status: .fail, milliseconds: 3, detail: "403 Forbidden",
                                             hint: "Give the key the mail.send permission.")])
        }
    }

    struct APIProbeFactory: ConnectorFactory {
        var metadata: ConnectorMetadata { APIProbe().metadata }
        func validate(_ config: ConfigValue) -> [ConfigIssue] {
            config["endpoint"] == nil ? [ConfigIssue(path: "endpoint", message: "is required")] : []
        }
        func makeConnector(config: ConfigValue) throws -> any EmailConnector { APIProbe() }
    }

    @Test func aThirdPartyConnectorIsDiagnosedAndItsConfigCheckedFirst() async throws {
        var registry = ConnectorRegistry.standard(presets: .standard)
        registry.register(APIProbeFactory())
        let api = ConsoleAPI(registry: registry, presets: .standard, store: try ConfigStore(file: nil, presets: .standard),
                             devServer: nil, token: "t")
        func doctor(_ config: ConfigValue) async throws -> (Int, ConfigValue) {
            let body = try ConfigValue.object(["connector": "api-probe", "config": config]).jsonText()
            let response = await api.handle(HTTPRequest(method: "POST", path: "/api/doctor", query: [:], headers: HTTPHeaders(),
                                                         body: Array(body.utf8), closesConnection: false))
            return (response.status, try ConfigValue.parse(json: String(decoding: response.body, as: UTF8.self)))
        }
        let (status, body) = try await doctor(["endpoint": "https://api.example"])
        #expect(status == 200, "\(body)")
        #expect(body["ok"] == .bool(false))
        #expect(body["steps"]?[0]?["name"] == "https")
        #expect(body["steps"]?[0]?["hint"] == "Give the key the mail.send permission.")

        let (refused, problems) = try await doctor([:])
        #expect(refused == 422)
        #expect(problems["error"]?["issues"]?[0]?["path"] == "endpoint")
    }
}
