import ConnectorKit

/// Printing configurations for people: secrets masked, templates summarized, sources shown.
enum ConfigDisplay {
    /// `value` for display: confidential values (``ConfidentialValues``) masked, templates as a count.
    static func text(path: String, value: ConfigValue) -> String {
        if ConfidentialValues.isConfidential(path: path) { return ConfidentialValues.mask }
        if path == "templates", let templates = value.arrayValue {
            return "[\(templates.count) templates: \(templates.compactMap { $0["usageType"]?.stringValue }.joined(separator: ", "))]"
        }
        if path == "tls.ca", let text = value.stringValue, text.contains("-----BEGIN") { return "(PEM text)" }
        return (try? value.maskingConfidentialValues.jsonText()) ?? ""
    }

    /// One line per leaf of `resolution.config`: `path = value   (source)`.
    static func lines(_ resolution: PresetResolution) -> [String] {
        let leaves = resolution.config.leaves
        let width = min(28, leaves.map(\.path.count).max() ?? 0)
        return leaves.map { leaf in
            let source = resolution.sources[leaf.path].map { "(\($0))" } ?? ""
            return "  \(leaf.path.padding(toLength: max(width, leaf.path.count), withPad: " ", startingAt: 0)) = \(text(path: leaf.path, value: leaf.value))   \(source)"
        }
    }

    /// The resolution as JSON: `{"config": {...masked...}, "sources": {...}}`.
    static func json(_ resolution: PresetResolution) -> ConfigValue {
        ["config": resolution.config.maskingConfidentialValues, "sources": .object(resolution.sources.mapValues { .string($0.description) })]
    }
}
