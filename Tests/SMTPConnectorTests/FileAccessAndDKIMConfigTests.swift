import ConnectorKit
import Foundation
import Testing
import TestSupport
@testable import SMTPConnector

/// `disableFileAccess` covers every value that may name a file, and `dkim.headerFieldNames` must
/// name headers these messages carry.
@Suite struct FileAccessAndDKIMConfigTests {
    static func config(_ changes: [String: ConfigValue]) -> ConfigValue {
        var config = ContentAndDKIMTests.config(port: 587, caPEM: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----").objectValue!
        for (key, value) in changes { config[key] = value }
        return .object(config)
    }

    @Test func disableFileAccessRefusesKeyAndCAPathsButTakesInlinePEM() async throws {
        let key = try await TestSupport.DKIMKey.make("rsa")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("dkim.pem").path
        let caPath = directory.appendingPathComponent("ca.pem").path
        try key.privatePEM.write(toFile: keyPath, atomically: true, encoding: .utf8)
        let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        try ca.write(toFile: caPath, atomically: true, encoding: .utf8)
        let byPath: [String: ConfigValue] = ["tls": ["ca": .string(caPath), "servername": "localhost"],
                                             "dkim": ["domainName": "example.com", "keySelector": "s", "privateKey": .string(keyPath)]]

        // Allowed by default: both files are read.
        let parsed = try SMTPConnectorConfig.parse(Self.config(byPath))
        #expect(parsed.tls.trustedCertificatesPEM == ca)
        #expect(parsed.dkim?.privateKeyPEM == key.privatePEM)

        var locked = byPath
        locked["disableFileAccess"] = true
        let issues = SMTPConnectorConfig.validate(Self.config(locked))
        #expect(issues.map(\.path).sorted() == ["dkim.privateKey", "tls.ca"])
        #expect(issues.allSatisfy { $0.message.contains("disableFileAccess is set") })

        let inline: [String: ConfigValue] = ["disableFileAccess": true, "tls": ["ca": .string(ca), "servername": "localhost"],
                                             "dkim": ["domainName": "example.com", "keySelector": "s", "privateKey": .string(key.privatePEM)]]
        #expect(SMTPConnectorConfig.validate(Self.config(inline)).isEmpty)
    }

    private func dkim(_ extra: [String: ConfigValue]) async throws -> ConfigValue {
        let key = try await TestSupport.DKIMKey.make("ed25519")
        var dkim: [String: ConfigValue] = ["domainName": "example.com", "keySelector": "s", "privateKey": .string(key.privatePEM)]
        for (name, value) in extra { dkim[name] = value }
        return Self.config(["dkim": .object(dkim)])
    }

    @Test func aMisspeltSignedHeaderIsAnErrorWithASuggestion() async throws {
        let issues = SMTPConnectorConfig.validate(try await dkim(["headerFieldNames": "From:Subjet:To"]))
        #expect(issues.map(\.path) == ["dkim.headerFieldNames"])
        #expect(issues.first?.message == "entry 2 of 3 is not a header these messages carry. Did you mean Subject?")
        #expect(SMTPConnectorConfig.validate(try await dkim(["headerFieldNames": "from:X-Unknown-Thing"])).map(\.path) == ["dkim.headerFieldNames"])
    }

    @Test func headersTheConnectorWritesOrTheConfigAddsMayBeSigned() async throws {
        var config = try await dkim(["headerFieldNames": "From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:X-App:List-Unsubscribe"]).objectValue!
        config["customHeaders"] = ["X-App": "acme"]
        #expect(SMTPConnectorConfig.validate(.object(config)).isEmpty)
    }

    @Test func fromCannotBeSkipped() async throws {
        let issues = SMTPConnectorConfig.validate(try await dkim(["skipFields": "Cc:From"]))
        #expect(issues.map(\.path) == ["dkim.skipFields"])
        #expect(issues.first?.message.contains("always signed") == true)
    }
}
