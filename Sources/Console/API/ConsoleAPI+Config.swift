import ConnectorKit
import StandardConnectors

/// The draft, ready for a connector: secrets put back, and a preset's id as its `"preset"` key.
struct EffectiveConfig {
    /// The registry id that builds it ("smtp" for every preset).
    var registryID: String
    /// Exactly what Save writes and a test send uses.
    var config: ConfigValue
    /// The draft's values with the stored secrets put back (what the store keeps after Save).
    var unmasked: ConfigValue
    /// Masked fields that have no stored value.
    var maskIssues: [ConfigIssue]
    /// The unmasked values with the `"preset"` key of a preset connector (even the DevServer's,
    /// which Save writes out in full): what provenance is traced through.
    var withPreset: ConfigValue
}

extension ConsoleAPI {
    /// Puts the stored secrets back into `draft` and gives it the shape Save writes.
    /// - Throws: ``APIFailure`` (404) for a connector id the registry does not know.
    func effective(_ draft: ConsoleDraft) throws -> EffectiveConfig {
        guard registry.factory(id: draft.connector) != nil else {
            throw APIFailure(404, "No connector is registered with id \"\(draft.connector)\".",
                             hint: "Pick one from GET /api/connectors.")
        }
        let (config, issues) = store.unmasking(draft.config, connector: draft.connector)
        let saved = ConfigStore.saved(connector: draft.connector, config: config, presets: presets)
        let registryID = presets.preset(id: draft.connector) != nil ? "smtp" : draft.connector
        let withPreset = registryID == "smtp" && draft.connector != "smtp" ? config.setting(.string(draft.connector), atPath: "preset") : saved
        return EffectiveConfig(registryID: registryID, config: saved, unmasked: config, maskIssues: issues, withPreset: withPreset)
    }

    /// `POST /api/validate`: every problem, each with the form field it belongs to and, when the
    /// value came from a preset, where from.
    func validate(_ draft: ConsoleDraft) throws -> ConsoleAnswer {
        let effective = try effective(draft)
        let issues = effective.maskIssues + (try operations.validate(effective.config, connector: effective.registryID).issues)
        let sources = provenance(effective.withPreset)
        let fields = formKeys(of: draft.connector)
        return .json([
            "valid": .bool(issues.isEmpty),
            "issues": .array(issues.map { issue in
                var object = issue.jsonValue.objectValue ?? [:]
                object["field"] = fieldKey(for: issue.path, fields: fields, connector: draft.connector).map(ConfigValue.string) ?? .null
                object["source"] = sources[issue.path].map(ConfigValue.string) ?? .null
                return .object(object)
            }),
            "sources": .object(sources.mapValues(ConfigValue.string)),
        ])
    }

    /// `POST /api/resolve`: the config with its preset applied (confidential values masked) and
    /// where each value came from.
    func resolve(_ draft: ConsoleDraft) throws -> ConsoleAnswer {
        let effective = try effective(draft)
        let (resolution, issues) = operations.resolvePreset(effective.withPreset)
        return .json([
            "config": (resolution?.config ?? effective.config.removing(path: "preset")).maskingConfidentialValues,
            "sources": .object(provenance(effective.withPreset).mapValues(ConfigValue.string)),
            "issues": .array(issues.map(\.jsonValue)),
        ])
    }

    /// `POST /api/config/save`: writes the effective config to `--config FILE` (atomically, 0600).
    func save(_ draft: ConsoleDraft) throws -> ConsoleAnswer {
        let effective = try effective(draft)
        guard effective.maskIssues.isEmpty else {
            throw APIFailure(422, ConnectorError(.invalidConfig, "A masked field has no stored value.", phase: .config,
                                                 issues: effective.maskIssues))
        }
        let file = try store.save(effective.config, draft: ConfigStore.Stored(connector: draft.connector, config: effective.unmasked))
        return .json(["saved": .string(file)])
    }

    /// `POST /api/config/export`: the config Save would write, with confidential values masked, to
    /// download (secrets never go to the browser; the file says where they belong).
    func export(_ draft: ConsoleDraft) throws -> ConsoleAnswer {
        .download(try effective(draft).config.maskingConfidentialValues, filename: "connector-config.json")
    }

    /// The source of each preset-supplied value, by dot path ("preset gmail", "variant variant=starttls").
    func provenance(_ config: ConfigValue) -> [String: String] {
        guard let resolution = operations.resolvePreset(config).resolution else { return [:] }
        return resolution.sources.filter { $0.value != .user }.mapValues(\.description)
    }

    /// The keys of the form of `connector`.
    func formKeys(of connector: String) -> [String] {
        registry.factory(id: connector)?.metadata.formItems.map(\.key) ?? []
    }

    /// The form field an issue at `path` belongs to: the longest form key that is the path or a
    /// parent of it (`templates[2].subject` -> `templates`), or the alias a preset's form shows
    /// instead (`auth.pass` -> SendGrid's `apiKey`).
    func fieldKey(for path: String, fields: [String], connector: String) -> String? {
        if let alias = presets.preset(id: connector)?.aliases.first(where: { $0.to == path }), fields.contains(alias.from) {
            return alias.from
        }
        return fields.filter { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }.max { $0.count < $1.count }
    }
}
