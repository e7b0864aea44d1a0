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
/// no issue quotes a confidential value (a password, token or key of 8 characters or more), apart
/// from inside a public value the issue quotes (a user name inside the sender address); and a
/// config with no issues builds a connector.
enum ConfigTarget {
    static let registry = ConnectorRegistry.standard
    static let ids = registry.available.map(\.id).sorted()

    static func check(_ data: [UInt8]) throws {
        guard let first = data.first else { return }
        let config: ConfigValue
        do {
            config = try ConfigValue.parse(json: Data(data.dropFirst()))
        } catch let error as ConnectorError {
            try require(error.code == .invalidConfig, "parsing failed with \(error.code)")
            return
        }
        if let text = try? config.jsonText() {
            let again = try ConfigValue.parse(json: text)
            try require(again == config, "\(text) reads back as a different value")
        }
        let id = first < 128 ? ConnectorRegistry.connectorID(for: config) : ids[Int(first) % ids.count]
        guard let factory = registry.factory(id: id) else { throw InvariantViolation(message: "no factory \(id)") }
        let issues = factory.validate(config)
        // The DKIM domain and selector are masked with the rest of `dkim`, but they are public (they
        // name a DNS record), and hints quote domains like example.com: they are not checked.
        let strings = allStrings(in: config)
        let secrets = strings.filter { secret in
            secret.confidential && secret.value.count >= 8 && !secret.path.hasSuffix("dkim.domainName") && !secret.path.hasSuffix("dkim.keySelector")
        }
        for issue in issues {
            for secret in secrets {
                // A secret inside a value anyone may see (a user "mail.com" inside the sender
                // "me@gmail.com") cannot be told apart when the issue quotes that value: the public
                // values holding it are taken out of the text before the search.
                let text = strings.filter { !$0.confidential && $0.value.contains(secret.value) }
                    .sorted { $0.value.count > $1.value.count }
                    .reduce(issue.description) { $0.replacingOccurrences(of: $1.value, with: "") }
                if text.contains(secret.value) {
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

    /// Every string in `value` (keys too, which are never confidential), with its path and whether
    /// ``ConfidentialValues`` would mask it.
    static func allStrings(in value: ConfigValue, path: String = "", confidential: Bool = false)
        -> [(path: String, value: String, confidential: Bool)] {
        switch value {
        case .object(let members):
            members.flatMap { key, member in
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                return [(memberPath, key, false)]
                    + allStrings(in: member, path: memberPath,
                                 confidential: confidential || ConfidentialValues.isConfidential(keys: [key]))
            }
        case .array(let elements):
            elements.enumerated().flatMap { allStrings(in: $1, path: "\(path)[\($0)]", confidential: confidential) }
        case .string(let text):
            [(path, text, confidential)]
        case .number, .bool, .null:
            []
        }
    }
}
