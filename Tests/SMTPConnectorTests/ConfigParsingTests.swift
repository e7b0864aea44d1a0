import ConnectorKit
import Foundation
import Testing
@testable import SMTPConnector

@Suite struct ConfigParsingTests {
    /// Logto's sample configuration, with every parameter its README mentions.
    static let logtoConfig = #"""
    {
      "host": "smtp.gmail.com",
      "port": "587",
      "fromEmail": "Acme <no-reply@acme.com>",
      "replyTo": "support@acme.com",
      "auth": {"type": "login", "user": "me@gmail.com", "pass": "app-password-16ch"},
      "secure": false,
      "requireTLS": true,
      "ignoreTLS": false,
      "tls": {"rejectUnauthorized": true, "servername": "smtp.gmail.com", "minVersion": "TLSv1.2"},
      "servername": "smtp.gmail.com",
      "name": "app.acme.com",
      "localAddress": "0.0.0.0",
      "connectionTimeout": 10000,
      "greetingTimeout": 5000,
      "socketTimeout": 20000,
      "dnsTimeout": 5000,
      "customHeaders": {"X-Entity-Ref-ID": "logto"},
      "logger": false,
      "debug": false,
      "disableFileAccess": true,
      "disableUrlAccess": true,
      "pool": false,
      "maxConnections": 5,
      "maxMessages": 100,
      "rateDelta": 1000,
      "rateLimit": 5,
      "templates": [
        {"usageType": "SignIn", "contentType": "text/plain", "subject": "Sign in", "content": "Code {{code}}"},
        {"usageType": "Register", "contentType": "text/html", "subject": "Welcome", "content": "<b>{{code}}</b>"},
        {"usageType": "ForgotPassword", "contentType": "text/plain", "subject": "Reset", "content": "{{code}}"},
        {"usageType": "Generic", "contentType": "text/plain", "subject": "Code", "content": "{{code}}"}
      ]
    }
    """#

    @Test func acceptsLogtosConfigAsIs() throws {
        let config = try SMTPConnectorConfig.parse(ConfigValue.parse(json: Self.logtoConfig))
        #expect(config.host == "smtp.gmail.com")
        #expect(config.port == 587)
        #expect(config.security == .startTLSRequired)
        #expect(config.from.displayName == "Acme")
        #expect(config.replyTo?.address == "support@acme.com")
        #expect(config.auth?.user == "me@gmail.com")
        #expect(config.timeouts.connection == 10)
        #expect(config.timeouts.greeting == 5)
        #expect(config.clientName == "app.acme.com")
        #expect(config.customHeaders == [.init(name: "X-Entity-Ref-ID", value: "logto")])
        #expect(config.templates.templates.count == 4)
    }

    @Test func port465DefaultsToImplicitTLSAndSecureDefaultsTo465() throws {
        let base = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        var config = base
        config["port"] = 465
        config["secure"] = nil
        config["requireTLS"] = nil
        #expect(try SMTPConnectorConfig.parse(.object(config)).security == .implicitTLS)
        config["port"] = nil
        config["secure"] = true
        #expect(try SMTPConnectorConfig.parse(.object(config)).port == 465)
        config["secure"] = nil
        #expect(try SMTPConnectorConfig.parse(.object(config)).port == 587)
        #expect(try SMTPConnectorConfig.parse(.object(config)).security == .startTLSOpportunistic)
    }

    @Test func authMayOmitUserAndPassForIPAuthorizedRelays() throws {
        var config = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        config["auth"] = [:]
        #expect(try SMTPConnectorConfig.parse(.object(config)).auth == nil)
        config["auth"] = nil
        #expect(try SMTPConnectorConfig.parse(.object(config)).auth == nil)
    }

    @Test func reportsEveryProblemAtOnceWithItsJSONPath() throws {
        let config = try ConfigValue.parse(json: #"""
        {
          "port": "smtp",
          "fromEmail": "not an address",
          "secure": "yes",
          "requireTLS": true, "ignoreTLS": true,
          "auth": {"user": "u", "type": "cram"},
          "tls": {"minVersion": "TLSv1", "ca": "/nonexistent/ca.pem"},
          "customHeaders": {"Bad Name": "x", "X-Ok": 5, "Subject": "nope"},
          "colour": "blue",
          "templates": [
            {"usageType": "SignIn", "contentType": "text/markdown", "subject": "s", "content": "c"},
            {"usageType": "Signin", "subject": "s", "content": 5},
            {"usageType": "Generic", "contentType": "text/plain", "subject": "s\nBcc: x@y.z", "content": "c", "extra": 1}
          ]
        }
        """#)
        let issues = SMTPConnectorConfig.validate(config)
        let paths = Set(issues.map(\.path))
        let expected: Set<String> = [
            "host", "port", "fromEmail", "secure", "ignoreTLS", "auth.type", "auth.pass", "tls.minVersion", "tls.ca",
            "customHeaders.Bad Name", "customHeaders.X-Ok", "customHeaders.Subject", "colour",
            "templates[0].contentType", "templates[1].usageType", "templates[1].contentType", "templates[1].content", "templates[2].subject",
            "templates[2].extra", "templates",
        ]
        #expect(paths == expected, "unexpected: \(paths.subtracting(expected)), missing: \(expected.subtracting(paths))")
        let contentType = issues.first { $0.path == "templates[0].contentType" }
        #expect(contentType?.message == "expected text/plain or text/html, found \"text/markdown\"")
        let usage = issues.first { $0.path == "templates[1].usageType" }
        #expect(usage?.message.contains("SignIn, Register") == true)
    }

    @Test func missingRequiredTemplatesAreNamed() throws {
        var config = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        config["templates"] = [["usageType": "SignIn", "contentType": "text/plain", "subject": "s", "content": "c"]]
        let messages = SMTPConnectorConfig.validate(.object(config)).map(\.description)
        #expect(messages.contains { $0.hasPrefix("templates: has no Register template") })
        #expect(messages.contains { $0.hasPrefix("templates: has no ForgotPassword template") })
        #expect(messages.contains { $0.hasPrefix("templates: has no Generic template") })
        #expect(!messages.contains { $0.contains("no SignIn") })
    }

    @Test func parseThrowsInvalidConfigCarryingTheIssues() {
        #expect {
            try SMTPConnectorConfig.parse(["host": "h"])
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.code == .invalidConfig && error.issues.map(\.path).contains("fromEmail")
                && error.issues.map(\.path).contains("templates")
        }
    }

    @Test func caMayBePEMTextOrAFilePath() throws {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString).pem").path
        try pem.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        config["disableFileAccess"] = false
        config["tls"] = ["ca": .string(path)]
        #expect(try SMTPConnectorConfig.parse(.object(config)).tls.trustedCertificatesPEM == pem)
        config["tls"] = ["ca": .string(pem)]
        #expect(try SMTPConnectorConfig.parse(.object(config)).tls.trustedCertificatesPEM == pem)
    }

    @Test func templateWithoutContentTypeIsRejectedAsInLogto() throws {
        var config = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        var templates = config["templates"]!.arrayValue!
        templates[2] = ["usageType": "ForgotPassword", "subject": "Reset", "content": "{{code}}"]
        config["templates"] = .array(templates)
        let issues = SMTPConnectorConfig.validate(.object(config))
        #expect(issues.map(\.path) == ["templates[2].contentType"])
        #expect(issues.first?.message == "is required")
        #expect(issues.first?.hint?.contains("text/html") == true)
    }

    @Test func unsupportedFeaturesAreRefusedNotIgnored() throws {
        var config = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        config["preset"] = "gmail"
        config["dkim"] = ["domainName": "acme.com"]
        let issues = SMTPConnectorConfig.validate(.object(config))
        #expect(issues.map(\.path).sorted() == ["dkim.keySelector", "dkim.privateKey", "preset"])
    }

    @Test func oauth2TakesAnAccessTokenOrAHostTokenProvider() throws {
        var config = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        config["auth"] = ["type": "oauth2", "user": "me@gmail.com", "accessToken": "ya29.token"]
        let parsed = try SMTPConnectorConfig.parse(.object(config))
        #expect(parsed.auth?.isOAuth2 == true)
        #expect(parsed.auth?.accessToken == "ya29.token")

        config["auth"] = ["type": "OAuth2", "user": "me@gmail.com", "clientId": "id", "clientSecret": "s", "refreshToken": "r"]
        #expect(SMTPConnectorConfig.validate(.object(config)).isEmpty)

        config["auth"] = ["type": "oauth2", "user": "me@gmail.com"]
        let issues = SMTPConnectorConfig.validate(.object(config))
        #expect(issues.map(\.path) == ["auth.accessToken"])
        #expect(issues.first?.hint?.contains("tokenProvider") == true)
        #expect(SMTPConnectorConfig.validate(.object(config), hostProvidesTokens: true).isEmpty)

        config["auth"] = ["type": "oauth2", "accessToken": "t", "method": "PLAIN"]
        #expect(Set(SMTPConnectorConfig.validate(.object(config)).map(\.path)) == ["auth.user", "auth.method"])
    }

    @Test func authMethodAcceptsEverySupportedMechanism() throws {
        var config = try ConfigValue.parse(json: Self.logtoConfig).objectValue!
        for method in ["PLAIN", "login", "CRAM-MD5"] {
            config["auth"] = ["user": "u", "pass": "p", "method": .string(method)]
            #expect(try SMTPConnectorConfig.parse(.object(config)).auth?.mechanism?.rawValue == method.uppercased())
        }
        config["auth"] = ["user": "u", "pass": "p", "method": "DIGEST-MD5"]
        #expect(SMTPConnectorConfig.validate(.object(config)).map(\.path) == ["auth.method"])
    }
}
