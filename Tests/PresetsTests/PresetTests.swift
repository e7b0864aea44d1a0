import AliyunDirectMail
import Catalog
import ConnectorKit
import Foundation
import Gmail
import Presets
import SendGrid
import SMTP
import SMTPWire
import StandardConnectors
import Testing
@testable import SMTPConnector

@Suite struct PresetResolutionTests {
    static let templates: ConfigValue = .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
        ["usageType": .string($0), "contentType": "text/plain", "subject": "Code", "content": "{{code}}"]
    })

    private func parse(_ config: ConfigValue) throws -> SMTPConnectorConfig {
        try SMTPConnectorConfig.parse(config, presets: .standard)
    }

    @Test func gmailInThreeLines() throws {
        let config = try parse(["preset": "gmail", "auth": ["user": "a@gmail.com", "pass": "abcd efgh ijkl mnop"], "templates": Self.templates])
        #expect(config.host == "smtp.gmail.com")
        #expect(config.port == 465)
        #expect(config.security == .implicitTLS)
        #expect(config.from.address == "a@gmail.com")  // derived from auth.user
        #expect(config.preset?.id == "gmail")
    }

    @Test func aUserPortSelectsTheMatchingVariantAndUserValuesWin() throws {
        let starttls = try parse(["preset": "gmail", "port": 587, "auth": ["user": "a@gmail.com", "pass": "p"], "templates": Self.templates])
        #expect(starttls.port == 587)
        #expect(starttls.security == .startTLSRequired)
        let custom = try parse(["preset": "gmail", "host": "smtp-relay.gmail.com", "fromEmail": "Team <team@acme.com>",
                                "auth": ["user": "a@acme.com", "pass": "p"], "templates": Self.templates])
        #expect(custom.host == "smtp-relay.gmail.com")
        #expect(custom.from.address == "team@acme.com")
    }

    /// A port no integer holds picks no variant and is reported by name (it trapped converting to Int:
    /// the config fuzz target's crash-port-beyond-int-max).
    @Test(arguments: [ConfigValue.number(5e300), .string("1e400"), .string("nan"), .number(587.5)])
    func aPortBeyondAnyIntegerIsAnIssueNotATrap(port: ConfigValue) {
        let issues = SMTPConnectorConfig.validate(["preset": "gmail", "port": port, "auth": ["user": "a@gmail.com", "pass": "p"],
                                                   "templates": Self.templates], presets: .standard)
        #expect(issues.contains { $0.path == "port" }, "\(issues)")
    }

    @Test func sendGridsAPIKeyAliasFillsTheFixedUser() throws {
        let config = try parse(["preset": "sendgrid", "apiKey": "SG.abc.def", "fromEmail": "no-reply@acme.com", "templates": Self.templates])
        #expect(config.auth?.user == "apikey")
        #expect(config.auth?.password == "SG.abc.def")
        #expect(config.port == 587)
        #expect(config.security == .startTLSRequired)
        let implicit = try parse(["preset": "sendgrid", "variant": "implicit-tls", "apiKey": "SG.x", "fromEmail": "a@acme.com", "templates": Self.templates])
        #expect(implicit.port == 465 && implicit.security == .implicitTLS)
        #expect(try parse(["preset": "sendgrid", "port": "2525", "apiKey": "SG.x", "fromEmail": "a@acme.com", "templates": Self.templates]).port == 2525)
    }

    @Test func sendGridsHintsForMissingAndWhitespaceKeys() {
        let missing = SMTPConnectorConfig.validate(["preset": "sendgrid", "templates": Self.templates], presets: .standard)
        #expect(missing.contains { $0.path == "auth.pass" && $0.hint?.contains("Mail Send") == true })
        #expect(missing.contains { $0.path == "fromEmail" && $0.hint?.contains("verified single sender") == true })
        let spaced = SMTPConnectorConfig.validate(["preset": "sendgrid", "apiKey": "SG.abc.def\n", "fromEmail": "a@acme.com",
                                                   "templates": Self.templates], presets: .standard)
        #expect(spaced.map(\.path) == ["auth.pass"])
        #expect(spaced.first?.hint?.contains("space or a line break") == true)
        #expect(!spaced.description.contains("SG.abc.def"))
    }

    @Test func aliyunRegionsAndPorts() throws {
        let base: ConfigValue = ["preset": "aliyun-directmail", "auth": ["user": "no-reply@mail.acme.com", "pass": "p"], "templates": Self.templates]
        let hangzhou = try parse(base)
        #expect(hangzhou.host == "smtpdm.aliyun.com" && hangzhou.port == 465 && hangzhou.security == .implicitTLS)
        #expect(hangzhou.from.address == "no-reply@mail.acme.com")
        #expect(hangzhou.auth?.mechanism == .login)
        let virginia = try parse(base.setting("us-east-1", atPath: "region"))
        #expect(virginia.host == "smtpdm-us-east-1.aliyuncs.com")
        let port80 = try parse(base.setting(80, atPath: "port"))
        #expect(port80.port == 80 && port80.security == .startTLSOpportunistic)
        let wrong = SMTPConnectorConfig.validate(base.setting("mars-1", atPath: "region"), presets: .standard)
        #expect(wrong.map(\.path) == ["region"])
        #expect(wrong.first?.hint?.contains("ap-southeast-1") == true)
    }

    @Test func mergeIsDeepUserWinsAndArraysReplace() {
        let base: ConfigValue = ["a": ["b": 1, "c": 2], "list": [1, 2, 3], "keep": true]
        let merged = base.merged(with: ["a": ["c": 3, "d": 4], "list": [9], "keep": nil])
        #expect(merged == ["a": ["b": 1, "c": 3, "d": 4], "list": [9], "keep": true])
    }

    @Test func sourcesSayWhereEachValueCameFrom() {
        let resolution = Preset.aliyunDirectMail.resolve(["preset": "aliyun-directmail", "region": "eu-central-1",
                                                          "auth": ["user": "a@acme.com", "pass": "p"], "templates": Self.templates])
        #expect(resolution.sources["host"] == .variant("region=eu-central-1"))
        #expect(resolution.sources["port"] == .variant("variant=implicit-tls"))
        #expect(resolution.sources["auth.method"] == .preset("aliyun-directmail"))
        #expect(resolution.sources["auth.user"] == .user)
        #expect(resolution.sources["fromEmail"] == .derived(from: "auth.user"))
        #expect(resolution.config["region"] == nil && resolution.config["preset"] == nil)
    }

    @Test func unknownPresetNamesTheKnownOnes() {
        let issues = SMTPConnectorConfig.validate(["preset": "hotmail", "templates": Self.templates], presets: .standard)
        #expect(issues.first?.path == "preset")
        #expect(issues.first?.hint?.contains("gmail") == true)
    }
}

@Suite struct CatalogAndRegistryTests {
    @Test func theBundledCatalogLoadsEveryProvider() throws {
        let catalog = try PresetCatalog.bundledJSON()
        #expect(catalog.all.map(\.id) == ["amazon-ses", "brevo", "mailgun", "microsoft365", "postmark", "resend"])
        #expect(catalog.preset(id: "microsoft365")?.defaults["host"] == "smtp.office365.com")
        #expect(catalog.preset(id: "microsoft365")?.notes.first?.contains("Basic authentication") == true)
        #expect(catalog.preset(forHost: "email-smtp.eu-west-1.amazonaws.com")?.id == "amazon-ses")
    }

    @Test func aHostDirectoryAddsPresets() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("presets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try #"{"id": "inhouse", "name": "In-house relay", "defaults": {"host": "relay.internal.example", "port": 25}}"#
            .write(to: directory.appendingPathComponent("inhouse.json"), atomically: true, encoding: .utf8)
        var catalog = PresetCatalog.standard
        try catalog.load(directory: directory)
        #expect(catalog.preset(id: "inhouse")?.defaults["port"] == 25)
        try "{ not json".write(to: directory.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        #expect { try catalog.load(directory: directory) } throws: {
            ($0 as? ConnectorError)?.message.contains("broken.json") == true
        }
    }

    @Test func theStandardRegistryOffersSMTPEveryPresetAndFailover() throws {
        let registry = ConnectorRegistry.standard
        #expect(registry.available.map(\.id) == ["aliyun-directmail", "aliyun-directmail-api", "amazon-ses", "brevo", "failover", "gmail", "mailgun", "microsoft365",
                                                   "postmark", "resend", "sendgrid", "sendgrid-api", "sendmail", "smtp"])
        let connector = try registry.makeConnector(id: "gmail", config: ["auth": ["user": "a@gmail.com", "pass": "p"],
                                                                           "templates": PresetResolutionTests.templates])
        let smtp = try #require(connector as? SMTPConnector)
        #expect(smtp.config.host == "smtp.gmail.com")
        #expect(registry.factory(id: "sendgrid")?.validate(["templates": PresetResolutionTests.templates]).map(\.path).sorted()
                == ["auth.pass", "fromEmail"])
    }

    @Test func presetReplyHintsExplainProviderErrors() {
        let gmail535 = SMTPError(.authentication, phase: .auth, "authentication failed",
                                 reply: SMTPReply(code: 535, enhancedCode: "5.7.8", lines: ["Username and Password not accepted."]), hint: "generic")
        #expect(ConnectorError(gmail535, preset: .gmail).hint?.contains("app password") == true)
        #expect(ConnectorError(gmail535, preset: nil).hint == "generic")
        let sendgrid550 = SMTPError(.rejected, phase: .data, "refused",
                                    reply: SMTPReply(code: 550, lines: ["The from address does not match a verified Sender Identity."]))
        #expect(ConnectorError(sendgrid550, preset: .sendGrid).hint?.contains("verified SendGrid sender") == true)
        let aliyun554 = SMTPError(.rejected, phase: .data, "refused", reply: SMTPReply(code: 554, lines: ["Invalid sender"]))
        #expect(ConnectorError(aliyun554, preset: .aliyunDirectMail).hint?.contains("same region") == true)
        let gmail534 = SMTPError(.authentication, phase: .auth, "x", reply: SMTPReply(code: 534, enhancedCode: "5.7.9", lines: ["Application-specific password required"]))
        #expect(ConnectorError(gmail534, preset: .gmail).hint?.contains("application-specific") == true)
    }

    @Test func aPlainSMTPConfigForAKnownHostGetsThatProvidersHints() throws {
        let config = try SMTPConnectorConfig.parse(["host": "smtp.sendgrid.net", "fromEmail": "a@acme.com",
                                                    "templates": PresetResolutionTests.templates], presets: .standard)
        #expect(config.preset?.id == "sendgrid")
    }
}

/// Docs/Configuration.md must name every key the code accepts, so the reference cannot fall behind.
@Suite struct ConfigurationReferenceTests {
    static let document = (try? String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Docs/Configuration.md"), encoding: .utf8)) ?? ""

    /// A config with every object present, so every nested key gets read.
    static let everything: ConfigValue = [
        "host": "h", "fromEmail": "a@b.c",
        "auth": ["user": "u", "pass": "p"], "tls": [:], "dkim": [:], "customHeaders": [:],
        "templates": [["usageType": "Generic", "contentType": "text/html", "subject": "s", "content": "c"]],
    ]

    @Test func everyAcceptedKeyIsDocumented() throws {
        #expect(!Self.document.isEmpty, "Docs/Configuration.md not found")
        let paths = SMTPConnectorConfig.read(Self.everything).keyPaths
        #expect(paths.count > 40, "only \(paths.count) keys read: the reader lost track")
        for path in paths {
            let documented = path.hasPrefix("templates[")
                ? Self.document.contains("`\(path.split(separator: ".").last!)`")
                : Self.document.contains("`\(path)`")
            #expect(documented, "Docs/Configuration.md does not mention `\(path)`")
        }
    }

    @Test func presetKeysAreDocumented() {
        var keys: Set<String> = ["preset"]
        for preset in PresetCatalog.standard.all {
            keys.formUnion(preset.variants.map(\.key))
            keys.formUnion(preset.aliases.map(\.from))
        }
        for key in keys.sorted() {
            #expect(Self.document.contains("`\(key)`"), "Docs/Configuration.md does not mention `\(key)`")
        }
    }
}
