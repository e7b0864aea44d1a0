import ConnectorKit
import DirectoryConnector
import Foundation
import Testing

@Suite struct DirectoryConnectorTests {
    @Test func registersAndSendsLikeABuiltInConnector() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var registry = ConnectorRegistry()
        registry.register(DirectoryConnectorFactory())
        #expect(registry.available.map(\.id) == ["directory"])
        let connector = try registry.makeConnector(id: "directory", json: """
            {"directory": "\(directory.path)", "fromEmail": "no-reply@acme.com",
             "templates": [{"usageType": "Generic", "contentType": "text/html", "subject": "Code {{code}}",
                            "content": "<p>Hi {{ user.name }}: {{code}}</p>"}]}
            """)
        let receipt = try await connector.send(EmailRequest(to: "ada@example.org", usageType: .signIn,
                                                            payload: ["code": "123456", "user": ["name": "<Ada>"]]))
        let file = directory.appendingPathComponent("\(receipt.messageID).json")
        let record = try ConfigValue.parse(json: Data(contentsOf: file))
        #expect(record["subject"] == "Code 123456")
        #expect(record["content"] == "<p>Hi &lt;Ada&gt;: 123456</p>")
        #expect(record["usageType"] == "SignIn")
    }

    @Test func reportsEveryConfigProblemWithItsPath() {
        let issues = DirectoryConnectorFactory().validate(["templates": [["usageType": "Nope", "subject": "s", "content": "c"]], "extra": 1])
        #expect(Set(issues.map(\.path)) == ["directory", "fromEmail", "templates[0].usageType", "extra"])
    }
}
