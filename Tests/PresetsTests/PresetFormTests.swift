import ConnectorKit
import Presets
import StandardConnectors
import Testing
@testable import SMTPConnector

/// Each preset's form starts with its short form: what the operator must decide.
@Suite struct PresetFormTests {
    private func keys(_ id: String) throws -> [String] {
        try #require(ConnectorRegistry.standard.factory(id: id)).metadata.formItems.map(\.key)
    }

    @Test func gmailAsksForVariantUserAppPasswordAndFromFirst() throws {
        let items = try #require(ConnectorRegistry.standard.factory(id: "gmail")).metadata.formItems
        #expect(Array(items.prefix(4).map(\.key)) == ["variant", "auth.user", "auth.pass", "fromEmail"])
        #expect(items[0].type == .select && items[0].options.map(\.value) == ["implicit-tls", "starttls"])
        #expect(items[2].isConfidential && items[2].description?.contains("app password") == true)
        #expect(items[3].placeholder == "defaults to auth.user")
        #expect(!items.contains { $0.key == "host" || $0.key == "port" })
        // Every other SMTP key stays reachable, under Advanced.
        #expect(items.contains { $0.key == "tls.servername" && $0.group == .advanced })
    }

    @Test func sendGridShowsItsAPIKeyAliasInsteadOfThePassword() throws {
        let keys = try keys("sendgrid")
        #expect(Array(keys.prefix(3)) == ["variant", "apiKey", "fromEmail"])
        #expect(!keys.contains("auth.pass"))
        let apiKey = try #require(ConnectorRegistry.standard.factory(id: "sendgrid")?.metadata.formItems.first { $0.key == "apiKey" })
        #expect(apiKey.isConfidential && apiKey.label == "API key")
    }

    @Test func everyPresetFormKeyIsOneItsConfigAccepts() throws {
        for preset in PresetCatalog.standard.all {
            let items = try #require(ConnectorRegistry.standard.factory(id: preset.id)).metadata.formItems
            #expect(Set(items.map(\.key)).count == items.count, "\(preset.id) repeats a key")
            for item in items where item.type != .json {
                // A value of the right type at each key never draws an "unknown key" issue.
                let value: ConfigValue = item.type == .switch ? false : item.type == .number ? 1 : item.options.first?.value ?? "x"
                let issues = SMTPConnectorFactory(presets: .standard).validate(ConfigValue.object(["preset": .string(preset.id)]).setting(value, atPath: item.key))
                #expect(!issues.contains { $0.message.contains("unknown") && $0.path == item.key }, "\(preset.id): \(item.key)")
            }
        }
    }
}
