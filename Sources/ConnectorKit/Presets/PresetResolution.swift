import Foundation

/// A user's configuration with a preset applied: the merged config, where each value came from,
/// and what is wrong.
public struct PresetResolution: Sendable {
    /// Where a resolved value came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// The preset's defaults.
        case preset(String)
        /// A variant of the preset, e.g. `region=us-east-1`.
        case variant(String)
        /// The user's configuration.
        case user
        /// Filled from another key, e.g. `fromEmail` from `auth.user`.
        case derived(from: String)

        /// `preset gmail`, `variant region=us-east-1`, `user`, `derived from auth.user`.
        public var description: String {
            switch self {
            case .preset(let id): return "preset \(id)"
            case .variant(let choice): return "variant \(choice)"
            case .user: return "user"
            case .derived(let source): return "derived from \(source)"
            }
        }
    }

    /// The merged configuration, without `preset` and variant keys: what the connector parses.
    public var config: ConfigValue
    /// The source of each leaf of `config`, by dot path.
    public var sources: [String: Source]
    /// Problems: unknown variants, required fields missing (with the preset's hint).
    public var issues: [ConfigIssue]
}

extension Preset {
    /// Applies this preset to `user`: defaults, then the chosen variants, then the user's values
    /// (which always win; arrays replace), then derived defaults; checks required fields.
    public func resolve(_ user: ConfigValue) -> PresetResolution {
        var issues: [ConfigIssue] = []
        var layers: [(ConfigValue, PresetResolution.Source)] = [(defaults, .preset(id))]
        var userConfig = user.removing(path: "preset")
        // `Int(exactly:)`: a port of 1e300, NaN or 587.5 picks no variant (ConfigReader reports it);
        // `Int.init` would trap on the first two.
        let userPort = user["port"].flatMap { $0.numberValue ?? $0.stringValue.flatMap(Double.init) }
            .flatMap { Int(exactly: $0) }
        for set in variants {
            let requested = user[set.key]
            userConfig = userConfig.removing(path: set.key)
            let name: String
            if let requested {
                guard let text = requested.stringValue else {
                    issues.append(ConfigIssue(path: set.key, message: "expected a string, found \(requested.typeDescription)"))
                    continue
                }
                name = text
            } else {
                name = set.options.first { $0.port != nil && $0.port == userPort }?.name ?? set.defaultValue
            }
            guard let variant = set.options.first(where: { $0.name == name }) else {
                issues.append(ConfigIssue(path: set.key, message: "\"\(name)\" is not a \(self.name) \(set.key)",
                                          hint: "Choose one of: \(set.options.map(\.name).joined(separator: ", "))."))
                continue
            }
            layers.append((variant.overrides, .variant("\(set.key)=\(variant.name)")))
        }
        for alias in aliases {
            guard let value = userConfig.value(atPath: alias.from) else { continue }
            userConfig = userConfig.removing(path: alias.from)
            if userConfig.value(atPath: alias.to) == nil { userConfig = userConfig.setting(value, atPath: alias.to) }
            for (path, fixed) in alias.set where userConfig.value(atPath: path) == nil {
                layers.append((ConfigValue.object([:]).setting(fixed, atPath: path), .preset(id)))
            }
        }
        layers.append((userConfig, .user))

        var config: ConfigValue = [:]
        var sources: [String: PresetResolution.Source] = [:]
        for (layer, source) in layers {
            config = config.merged(with: layer)
            for leaf in layer.leaves where leaf.value != .null { sources[leaf.path] = source }
        }
        for field in derived where config.value(atPath: field.path) == nil {
            if let value = config.value(atPath: field.source) {
                config = config.setting(value, atPath: field.path)
                sources[field.path] = .derived(from: field.source)
            }
        }
        for field in required where !field.unless.contains(where: { config.value(atPath: $0) != nil }) {
            guard let value = config.value(atPath: field.path) else {
                issues.append(ConfigIssue(path: field.path, message: "is required by the \(name) preset", hint: field.hint))
                continue
            }
            if let pattern = field.pattern, let text = value.stringValue,
               text.range(of: "\\A(?:\(pattern))\\z", options: .regularExpression) == nil {
                issues.append(ConfigIssue(path: field.path, message: "does not look like what \(name) expects",
                                          hint: field.patternHint ?? field.hint))
            }
        }
        let leaves = Set(config.leaves.map(\.path))
        sources = sources.filter { leaves.contains($0.key) }
        return PresetResolution(config: config, sources: sources, issues: issues)
    }
}
