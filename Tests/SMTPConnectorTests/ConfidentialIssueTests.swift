import ConnectorKit
import Foundation
import Testing
import TestSupport
@testable import SMTPConnector

/// No value under auth or dkim, nor any value whose key names a pass, secret, token or key, is ever
/// quoted in a configuration issue, however the value is wrong.
@Suite struct ConfidentialIssueTests {
    /// Letters and digits only, so it also passes for base64 and for a DNS label.
    static let canary = "CANARYq7f3x"

    /// Configs that are wrong in every way that could echo a confidential value.
    static var leakyConfigs: [ConfigValue] {
        let key = String(repeating: canary, count: 12)  // key material pasted without its BEGIN line
        let bad: [[String: ConfigValue]] = [
            ["auth": ["user": .string(canary), "password": .string(canary), "type": .string(canary), "method": .string(canary)]],
            ["auth": ["user": .string(canary), "pass": .string(canary), "expires": .string(canary), "accessUrl": .string(canary)]],
            ["auth": ["type": "oauth2", "user": .string(canary), "serviceClient": .string(canary), "privateKey": .string(canary)]],
            ["auth": ["type": "oauth2", "clientId": .string(canary), "refreshToken": .string(canary)]],
            ["dkim": ["domainName": .string(canary + "..x"), "keySelector": .string(canary + "!"), "privateKey": .string(key),
                      "headerFieldNames": .string(canary), "skipFields": .string(canary), "hashAlgo": .string(canary)]],
            ["dkim": ["domainName": "example.com", "keySelector": "s", "privateKey": .string("-----BEGIN PRIVATE KEY-----\n\(canary)\n-----END PRIVATE KEY-----")]],
            ["dkim": .string(canary)],
            ["auth": .string(canary)],
            ["apiToken": .string(canary), "clientSecret": .number(7), "smtpPassword": ["a": .string(canary)]],
            ["customHeaders": ["X-Api-Key": .string(canary + "\r\nBcc: x@y.z")]],
        ]
        return bad.map { changes in
            var config = ContentAndDKIMTests.config(port: 587, caPEM: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----").objectValue!
            for (key, value) in changes { config[key] = value }
            return .object(config)
        }
    }

    @Test(arguments: 0..<10)
    func noIssueQuotesAConfidentialValue(_ index: Int) throws {
        let issues = SMTPConnectorConfig.validate(Self.leakyConfigs[index])
        #expect(!issues.isEmpty)
        for issue in issues {
            #expect(!issue.description.contains(Self.canary), "\(issue.path) leaks: \(issue.description)")
            #expect(!(issue.hint ?? "").contains(Self.canary))
        }
        let error = #expect(throws: ConnectorError.self) { try SMTPConnectorConfig.parse(Self.leakyConfigs[index]) }
        #expect(error.map { !"\($0)".contains(Self.canary) } == true)
    }

    @Test func aParsedConfigPrintsNoSecretHoweverItIsPrinted() async throws {
        let key = try await TestSupport.DKIMKey.make("ed25519")
        var config = Self.leakyConfigs[5].objectValue!
        config["auth"] = ["user": .string(Self.canary), "pass": .string(Self.canary)]
        config["dkim"] = ["domainName": "example.com", "keySelector": "s", "privateKey": .string(key.privatePEM)]
        let parsed = try SMTPConnectorConfig.parse(.object(config))
        var dumped = ""
        dump(parsed, to: &dumped)
        let keyLine = key.privatePEM.split(separator: "\n")[1]
        for text in ["\(parsed)", String(reflecting: parsed), dumped] {
            #expect(!text.contains(Self.canary))
            #expect(!text.contains(keyLine))
            #expect(text.contains("********"))
        }
    }

    @Test func aKeyPastedWithoutItsBeginLineIsNamedNotEchoed() throws {
        var config = Self.leakyConfigs[5].objectValue!
        config["dkim"] = ["domainName": "example.com", "keySelector": "s", "privateKey": .string(String(repeating: "MIIEvQ", count: 200))]
        let issue = try #require(SMTPConnectorConfig.validate(.object(config)).first)
        #expect(issue.path == "dkim.privateKey")
        #expect(issue.message == "is neither PEM text (no -----BEGIN line) nor a file path")
        #expect(issue.hint?.contains("-----BEGIN") == true)
    }

    @Test func aPathIsShownWhenTheValueLooksLikeOne() throws {
        var config = Self.leakyConfigs[5].objectValue!
        config["dkim"] = ["domainName": "example.com", "keySelector": "s", "privateKey": "/etc/keys/missing-dkim.pem"]
        let issue = try #require(SMTPConnectorConfig.validate(.object(config)).first)
        #expect(issue.message == "names the file /etc/keys/missing-dkim.pem, which cannot be read")
    }

    @Test(arguments: [("/etc/dkim/key.pem", true), ("keys/dkim.key", true), ("/x", true), ("dkim.PEM", true),
                      ("dkim", false), ("hunter2!", false), (String(repeating: "QUJD", count: 10), false),
                      ("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", false), ("a b", false), ("line\nbreak", false),
                      ("/" + String(repeating: "p", count: 160), false), ("", false)])
    func whatLooksLikeAPath(_ value: String, _ expected: Bool) {
        #expect(PEMSource.looksLikePath(value) == expected)
    }
}
