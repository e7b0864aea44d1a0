import Testing
@testable import ConnectorKit

/// A connector as a third-party package would write one.
private struct EchoFactory: ConnectorFactory {
    let metadata = ConnectorMetadata(id: "echo", name: "Echo", description: "Test connector")

    func validate(_ config: ConfigValue) -> [ConfigIssue] {
        var reader = ConfigReader(config)
        _ = reader.string("prefix", required: true)
        reader.finish()
        return reader.issues
    }

    func makeConnector(config: ConfigValue) throws -> any EmailConnector {
        let issues = validate(config)
        guard issues.isEmpty else { throw ConnectorError(.invalidConfig, "bad config", issues: issues) }
        return EchoConnector(prefix: config["prefix"]!.stringValue!, metadata: metadata)
    }
}

private struct EchoConnector: EmailConnector {
    let prefix: String
    let metadata: ConnectorMetadata
    func send(_ request: EmailRequest) async throws -> SendReceipt {
        SendReceipt(messageID: "\(prefix)-1", accepted: request.to, response: "250 ok")
    }
}

@Suite struct RegistryTests {
    @Test func thirdPartyFactoriesRegisterAndBuildLikeBuiltInOnes() async throws {
        var registry = ConnectorRegistry()
        registry.register(EchoFactory())
        #expect(registry.available.map(\.id) == ["echo"])
        let connector = try registry.makeConnector(id: "echo", json: #"{"prefix": "p"}"#)
        let receipt = try await connector.send(EmailRequest(to: "a@example.com", usageType: .generic))
        #expect(receipt.messageID == "p-1")
    }

    @Test func unknownIdNamesTheRegisteredOnes() {
        var registry = ConnectorRegistry()
        registry.register(EchoFactory())
        #expect {
            try registry.makeConnector(id: "smtp", config: [:])
        } throws: { error in
            let error = error as? ConnectorError
            return error?.code == .general && error?.hint?.contains("echo") == true
        }
    }

    @Test func invalidConfigCarriesEveryIssue() {
        var registry = ConnectorRegistry()
        registry.register(EchoFactory())
        #expect {
            try registry.makeConnector(id: "echo", config: ["typo": 1])
        } throws: { error in
            (error as? ConnectorError)?.issues.map(\.path).sorted() == ["prefix", "typo"]
        }
    }

    @Test func recordingConnectorKeepsRequestsAndCanFail() async throws {
        let recorder = RecordingConnector()
        _ = try await recorder.send(EmailRequest(to: "a@example.com", usageType: .signIn, payload: ["code": "1"]))
        #expect(recorder.requests.map(\.usageType) == [.signIn])
        #expect(recorder.requests.first?.payload["code"] == "1")

        let failing = RecordingConnector(failing: ConnectorError(.rateLimitExceeded, "slow down"))
        await #expect(throws: ConnectorError.self) {
            try await failing.send(EmailRequest(to: "a@example.com", usageType: .signIn))
        }
        #expect(failing.requests.count == 1)
    }

    @Test func errorDescriptionShowsPhaseReplyAndHint() {
        let error = ConnectorError(.authorizationFailed, "authentication failed", phase: .auth,
                                   reply: .init(code: 535, enhancedCode: "5.7.8", text: "bad credentials"), hint: "Use an app password.")
        #expect(error.description.contains("phase: auth"))
        #expect(error.description.contains("535 5.7.8 bad credentials"))
        #expect(error.description.contains("hint: Use an app password."))
    }
}
