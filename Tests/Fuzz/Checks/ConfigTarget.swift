import ConnectorKit
import Foundation
import StandardConnectors

/// A connector config as an operator writes it: JSON parsing, the preset merge and validation.
///
/// Input: one byte picking the connector id (the one the CLI would pick, or one of the standard
/// registry's, so every preset's merge is reached), then JSON text.
///
/// Checked: parsing either succeeds or throws the library's `invalid_config` error; a parsed value
/// prints as JSON that parses back to the same value; validation returns issues instead of crashing;
/// no issue quotes a confidential value (a password, token or key of 8 characters or more) that it
/// would not quote with that value replaced; and a config with no issues builds a connector.
enum ConfigTarget {
    static let registry = ConnectorRegistry.standard
    static let ids = registry.available.map(\.id).sorted()

    static func check(_ data: [UInt8]) throws {
        guard let first = data.first else { return }
        let parsed: ConfigValue
        do {
            parsed = try ConfigValue.parse(json: Data(data.dropFirst()))
        } catch let error as ConnectorError {
            try require(error.code == .invalidConfig, "parsing failed with \(error.code)")
            return
        }
        if let text = try? parsed.jsonText() {
            let again = try ConfigValue.parse(json: text)
            try require(again == parsed, "\(text) reads back as a different value")
        }
        // The connector the file names (its "connector" key, which the file keeps to itself), or
        // one of the registry's picked by the first byte.
        let selection = ConnectorRegistry.selection(for: parsed)
        let id = first < 128 ? selection.id : ids[Int(first) % ids.count]
        let config = first < 128 ? selection.config : parsed
        guard let factory = registry.factory(id: id) else {
            // Only a file's own "connector" key can name an unknown id; it is refused by name
            // (ConnectorOperations: invalid_config), never built.
            try require(first < 128 && parsed[ConnectorRegistry.connectorKey] != nil, "no factory for \(id)")
            return
        }
        let issues = factory.validate(config)
        let secrets = confidentialStrings(in: config).filter { $0.value.count >= 8 }
        for issue in issues {
            for secret in secrets where issue.description.contains(secret.value) {
                // The text may hold the value for another reason: a hint's example ("text/plain"
                // under a key that looks confidential), or a public value that contains it (the user
                // "mail.com" inside the sender "me@gmail.com"). It is a leak when the quote goes
                // away with the secret: validated again with the secret replaced, no issue holds it.
                let probe = replacing(secret.value, with: stand(in: secret.value), in: config)
                if !factory.validate(probe).contains(where: { $0.description.contains(secret.value) }) {
                    throw InvariantViolation(message: "the issue at \(issue.path) quotes the confidential value at \(secret.path)")
                }
            }
        }
        if issues.isEmpty {
            do {
                _ = try factory.makeConnector(config: config)
            } catch {
                throw InvariantViolation(message: "a config with no issues did not build a connector: \(error)")
            }
        }
    }

    /// A string as long as `secret` that cannot contain it: one character `secret` lacks, repeated.
    static func stand(in secret: String) -> String {
        let filler = ["#", "~", "^", "`"].first { !secret.contains($0) } ?? "\u{2603}"
        return String(repeating: filler, count: secret.count)
    }

    /// `value` with every confidential string equal to `secret` replaced by `replacement`.
    static func replacing(_ secret: String, with replacement: String, in value: ConfigValue, keys: [String] = []) -> ConfigValue {
        switch value {
        case .object(let members):
            .object(members.reduce(into: [:]) { result, member in
                result[member.key] = replacing(secret, with: replacement, in: member.value, keys: keys + [member.key])
            })
        case .array(let elements):
            .array(elements.map { replacing(secret, with: replacement, in: $0, keys: keys) })
        case .string(let text):
            .string(ConfidentialValues.isConfidential(keys: keys) && text == secret ? replacement : text)
        case .number, .bool, .null:
            value
        }
    }

    /// Every string that ``ConfidentialValues`` would mask in `value`, with its path. Decided at
    /// each string by all the keys on its path, as the library decides it (`auth.pass` is
    /// confidential, `auth.user` is not), not by each key alone.
    static func confidentialStrings(in value: ConfigValue, path: String = "", keys: [String] = [])
        -> [(path: String, value: String)] {
        switch value {
        case .object(let members):
            members.flatMap { key, member in
                confidentialStrings(in: member, path: path.isEmpty ? key : "\(path).\(key)", keys: keys + [key])
            }
        case .array(let elements):
            elements.enumerated().flatMap { confidentialStrings(in: $1, path: "\(path)[\($0)]", keys: keys) }
        case .string(let text):
            ConfidentialValues.isConfidential(keys: keys) ? [(path, text)] : []
        case .number, .bool, .null:
            []
        }
    }
}
