import ConnectorKit

extension ConsoleAPI {
    /// `GET /api/connectors`: every registered connector that declares a form, with its form.
    func connectors() -> ConsoleAnswer {
        let listed = registry.available.filter { !$0.formItems.isEmpty }
        return .json(["connectors": .array(listed.map { metadata in
            [
                "id": .string(metadata.id),
                "name": .string(metadata.name),
                "description": .string(metadata.description),
                "docs": metadata.documentationURL.map(ConfigValue.string) ?? .null,
                "preset": .bool(presets.preset(id: metadata.id) != nil),
                "formItems": .array(metadata.formItems.map(\.jsonValue)),
            ]
        })])
    }

    /// `GET /api/state`: the stored config (confidential values masked), the file Save writes, and
    /// the DevServer when there is one.
    func state() -> ConsoleAnswer {
        let masked = store.masked
        var object: [String: ConfigValue] = [
            "connector": .string(masked.connector),
            "config": masked.config,
            "configFile": store.file.map(ConfigValue.string) ?? .null,
            "usageTypes": .array(UsageType.allCases.map { .string($0.rawValue) }),
            "mask": .string(ConfidentialValues.mask),
        ]
        if let devServer {
            object["devServer"] = ["host": .string(devServer.configuration.host), "port": .number(Double(devServer.port)),
                                   "preset": .string(DevServerPreset.id)]
        } else {
            object["devServer"] = .null
        }
        return .json(.object(object))
    }
}

extension ConnectorMetadata.FormItem {
    /// The item in Logto's `formItems` JSON shape (`key`, `label`, `type`, `placeholder`,
    /// `description`, `defaultValue`, `selectItems`, `required`, `isConfidential`, `showConditions`)
    /// plus `group`.
    var jsonValue: ConfigValue {
        [
            "key": .string(key),
            "label": .string(label),
            "type": .string(type.logtoName),
            "group": .string(group.rawValue),
            "placeholder": placeholder.map(ConfigValue.string) ?? .null,
            "description": description.map(ConfigValue.string) ?? .null,
            "defaultValue": defaultValue ?? .null,
            "selectItems": .array(options.map { ["value": $0.value, "title": .string($0.title)] }),
            "required": .bool(required),
            "isConfidential": .bool(isConfidential),
            "showConditions": .array(showWhen.map { ["targetKey": .string($0.key), "expectValue": $0.value] }),
        ]
    }
}

extension ConnectorMetadata.FormItem.InputType {
    /// Logto's names: Text, MultilineText, Number, Switch, Select, Json.
    var logtoName: String {
        switch self {
        case .text: "Text"
        case .multilineText: "MultilineText"
        case .number: "Number"
        case .switch: "Switch"
        case .select: "Select"
        case .json: "Json"
        }
    }
}
