import ConnectorKit
import SMTPConnector
import Testing

/// The `smtp` connector's form metadata: what the operator console renders its form from.
@Suite struct FormItemTests {
    private let items = SMTPConnector.metadata.formItems

    /// A value of the right type for `item`, to prove the config reader accepts its key.
    private func sample(_ item: ConnectorMetadata.FormItem) -> ConfigValue {
        if let first = item.options.first { return first.value }
        if let value = item.defaultValue { return value }
        switch item.type {
        case .number: return 1000
        case .switch: return true
        case .json: return item.key == "templates" ? .array([]) : .object([:])
        case .text, .multilineText, .select: return "example"
        }
    }

    @Test func everyDeclaredKeyIsOneTheConfigAccepts() throws {
        let minimal = try ConfigValue.parse(json: #"{"host": "smtp.example.com", "fromEmail": "a@example.com", "templates": []}"#)
        for item in items {
            let config = minimal.setting(sample(item), atPath: item.key)
            let unknown = SMTPConnectorFactory().validate(config).filter { $0.message.contains("not a known option") }
            #expect(unknown.isEmpty, "form item \(item.key) is not a key the smtp config reads: \(unknown)")
        }
    }

    @Test func keysAreUniqueAndGroupedWithTheRequiredOnesFirstInTheirGroup() {
        #expect(Set(items.map(\.key)).count == items.count)
        #expect(items.filter(\.required).map(\.key).sorted() == ["fromEmail", "host", "templates"])
        // Groups come in the console's order, each in one run.
        let groups = items.map(\.group)
        let runs = groups.enumerated().filter { $0.offset == 0 || groups[$0.offset - 1] != $0.element }.map(\.element)
        #expect(runs == ConnectorMetadata.FormItem.Group.allCases)
    }

    /// Every text the masking rule hides is confidential in the form; choices and numbers under
    /// `auth` (type, mechanism, expiry) are not secrets and stay visible.
    @Test func confidentialFieldsAreTheTextsTheMaskingRuleHides() {
        for item in items where item.type != .json {
            let masked = ConfidentialValues.isConfidential(path: item.key)
            if item.isConfidential { #expect(masked, "\(item.key) is confidential in the form but printed elsewhere") }
            if masked, item.type == .text || item.type == .multilineText {
                #expect(item.isConfidential, "\(item.key) is masked in output but not in the form")
            }
        }
        #expect(items.first { $0.key == "dkim" }?.isConfidential == true)
    }

    @Test func conditionsNameDeclaredFieldsAndSelectsHaveOptions() {
        let keys = Set(items.map(\.key))
        for item in items {
            for condition in item.showWhen { #expect(keys.contains(condition.key), "\(item.key) depends on \(condition.key)") }
            #expect((item.type == .select) == !item.options.isEmpty, "\(item.key)")
        }
        #expect(items.first { $0.key == "auth.pass" }?.showWhen == [.init(key: "auth.type", equals: "login")])
    }
}
