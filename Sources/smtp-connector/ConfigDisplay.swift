import ConnectorKit

/// Printing configurations for people: secrets masked, templates summarized, sources shown.
enum ConfigDisplay {
    /// Keys whose values are never printed.
    static let secretKeys: Set<String> = ["pass", "accessToken", "clientSecret", "refreshToken", "privateKey", "apiKey", "serverToken"]

    static func isSecret(_ path: String) -> Bool {
        secretKeys.contains(String(path.split(separator: ".").last ?? ""))
    }

    /// `value` for display: secrets as `********`, templates as a count.
    static func text(path: String, value: ConfigValue) -> String {
        if isSecret(path) { return "********" }
        if path == "templates", let templates = value.arrayValue {
            return "[\(templates.count) templates: \(templates.compactMap { $0["usageType"]?.stringValue }.joined(separator: ", "))]"
        }
        if path == "tls.ca", let text = value.stringValue, text.contains("-----BEGIN") { return "(PEM text)" }
        return (try? value.jsonText()) ?? ""
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
        var masked = resolution.config
        for leaf in resolution.config.leaves where isSecret(leaf.path) { masked = masked.setting("********", atPath: leaf.path) }
        return ["config": masked, "sources": .object(resolution.sources.mapValues { .string($0.description) })]
    }
}
