import ConnectorKit

/// Removes the text of a config's confidential values from anything the console is about to
/// answer with.
///
/// Masking by key name is not enough on its own. A value can move to a key that is not
/// confidential: a preset fills `fromEmail` from `auth.user`, and a validator or a server reply can
/// quote it. So every answer built from a config is passed through here as well, as defence in depth.
struct SecretRedactor {
    private let secrets: [String]

    /// A redactor for the confidential string values of `config` (of at least 4 characters;
    /// `auth.type` and `auth.method` name mechanisms, not secrets).
    init(_ config: ConfigValue) {
        var found: Set<String> = []
        Self.collect(config, keys: [], into: &found)
        secrets = found.sorted { $0.count > $1.count }  // longest first, so a secret inside another goes too
    }

    private static func collect(_ value: ConfigValue, keys: [String], into found: inout Set<String>) {
        switch value {
        case .object(let members):
            for (name, member) in members { collect(member, keys: keys + [name], into: &found) }
        case .array(let elements):
            elements.forEach { collect($0, keys: keys, into: &found) }
        case .string(let text) where text.count >= 4 && ConfidentialValues.isConfidential(keys: keys):
            found.insert(text)
        default:
            break
        }
    }

    /// `text` with each secret replaced by the mask.
    func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: ConfidentialValues.mask) }
    }

    /// `value` with each string redacted, keys included.
    func redact(_ value: ConfigValue) -> ConfigValue {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let elements): return .array(elements.map(redact))
        case .object(let members):
            return .object(Dictionary(members.map { (redact($0.key), redact($0.value)) }, uniquingKeysWith: { first, _ in first }))
        default: return value
        }
    }
}
