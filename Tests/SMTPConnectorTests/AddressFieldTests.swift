import ConnectorKit
import Foundation
import Testing
@testable import SMTPConnector

/// Every address the connector takes (fromEmail, replyTo, to, cc, bcc) is checked against RFC 5321's
/// Mailbox grammar, and the error names the field and the address.
@Suite struct AddressFieldTests {
    static func config(_ changes: [String: ConfigValue]) throws -> ConfigValue {
        var config = try ConfigValue.parse(json: ConfigParsingTests.logtoConfig).objectValue!
        for (key, value) in changes { config[key] = value }
        return .object(config)
    }

    @Test(arguments: ["fromEmail", "replyTo"], ["a@b.example(ceo@corp.example)", "x\"@a.com", "team:boss@corp.example"])
    func configAddressesFollowTheGrammar(_ key: String, _ address: String) throws {
        let issues = SMTPConnectorConfig.validate(try Self.config([key: .string(address)]))
        let issue = try #require(issues.first { $0.path == key })
        #expect(issue.message.contains(address))
    }

    @Test(arguments: ["to", "cc", "bcc"])
    func requestAddressesFollowTheGrammar(_ field: String) async throws {
        let connector = try SMTPConnector(config: SMTPConnectorConfig.parse(try Self.config([:])))
        var request = EmailRequest(to: "ada@example.test", usageType: .generic, payload: ["code": "1"])
        let bad = "team:boss@corp.example"
        switch field {
        case "to": request.to = [bad]
        case "cc": request.cc = [bad]
        default: request.bcc = [bad]
        }
        // Refused while composing, before any connection is made (the config's host is never reached).
        let error = try await #require(throws: ConnectorError.self) { _ = try await connector.send(request) }
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains(field))
        #expect(error.message.contains(bad))
    }

    @Test func aBlankReplyToMeansNone() throws {
        #expect(try SMTPConnectorConfig.parse(try Self.config(["replyTo": ""])).replyTo == nil)
        #expect(try SMTPConnectorConfig.parse(try Self.config(["replyTo": "  "])).replyTo == nil)
    }
}
