import ConnectorKit
import Foundation
import Locking
import StandardConnectors

/// The configuration the console holds: the connector it is for, its values (secrets included,
/// never sent to the browser), and the file Save writes to.
///
/// The browser only ever sees the config with confidential values masked
/// (``ConfidentialValues/mask``). A draft that comes back with a field still masked means "keep
/// the stored value", which ``unmasking(_:)`` puts back.
final class ConfigStore: Sendable {
    /// What is stored.
    struct Stored: Sendable {
        /// The registry id the config is for, e.g. "smtp" or "gmail".
        var connector: String
        /// The form's values, secrets included (without a `preset` key when `connector` is a preset).
        var config: ConfigValue
    }

    /// The file Save writes to (`--config FILE`), if any.
    let file: String?
    private let stored: Locked<Stored>

    /// A store for `file`, filled from it when it exists.
    /// - Parameters:
    ///   - file: the path Save writes to; read now when it exists.
    ///   - presets: the presets a `"preset"` key in the file may name.
    /// - Throws: ``ConnectorError`` when the file exists but is not a JSON object.
    init(file: String?, presets: PresetCatalog) throws {
        self.file = file
        var initial = Stored(connector: "smtp", config: [:])
        if let file, let data = FileManager.default.contents(atPath: file) {
            let config = try ConfigValue.parse(json: data)
            guard config.objectValue != nil else {
                throw ConnectorError(.invalidConfig, "\(file) does not hold a JSON object", phase: .config,
                                     hint: "A connector config is an object such as {\"host\": \"smtp.example.com\", ...}.")
            }
            guard config["failover"] == nil else {
                throw ConnectorError(.invalidConfig, "\(file) is a failover config; the console edits one connector's config",
                                     phase: .config,
                                     hint: "Edit each member in a file of its own here, then list them under \"failover\"; check the whole with `smtp-connector validate` and `send-test`.")
            }
            initial = Self.draft(fromSaved: config, presets: presets)
        }
        stored = Locked(initial)
    }

    /// The stored connector id and config.
    var current: Stored { stored.withLock { $0 } }

    /// The stored config with every confidential value masked: what the browser may see.
    var masked: Stored {
        let current = self.current
        return Stored(connector: current.connector, config: current.config.maskingConfidentialValues)
    }

    /// The keys that decide where a stored secret goes: change one, and the secret is not sent
    /// there unless typed again (a password must not follow a changed host, a verification turned
    /// off, or a token endpoint pointed elsewhere).
    static let destinationKeys = ["preset", "host", "port", "secure", "requireTLS", "ignoreTLS", "allowInsecureAuth",
                                  "servername", "tls.rejectUnauthorized", "tls.servername", "tls.ca", "tls.minVersion", "auth.accessUrl",
                                  "endpoint", "region", "path", "arguments"]

    /// `draft` with each value equal to the mask replaced by the stored value at the same place
    /// (inside objects and arrays alike), and an issue for each mask with no stored value behind it.
    /// A stored secret is put back only for the connector it was stored for and while none of the
    /// ``destinationKeys`` differs from the stored config; otherwise each mask is an issue naming
    /// the field to type again and the key that changed.
    func unmasking(_ draft: ConfigValue, connector: String) -> (ConfigValue, [ConfigIssue]) {
        let stored = current
        var changed: String?
        if connector != stored.connector {
            changed = "the connector (\(stored.connector) to \(connector))"
        } else if let key = Self.destinationKeys.first(where: { Self.changes(draft, stored.config, at: $0) }) {
            changed = key
        }
        var missing: [ConfigIssue] = []
        let config = Self.replacingMasks(in: draft, stored: changed == nil ? stored.config : nil, path: .root, missing: &missing)
        if let changed {
            missing = missing.map {
                ConfigIssue(path: $0.path, message: "is masked, and its stored value is not sent to a changed destination (\(changed) changed)",
                            hint: "Type the value again for the new destination.")
            }
        }
        return (config, missing)
    }

    /// Whether `draft` sets the value at `path` differently from `stored`: null counts as absent, and
    /// a mask stands for the stored value (a confidential destination key such as `auth.accessUrl`).
    private static func changes(_ draft: ConfigValue, _ stored: ConfigValue, at path: String) -> Bool {
        let given = draft.value(atPath: path).flatMap { $0 == .null ? nil : $0 }
        let kept = stored.value(atPath: path).flatMap { $0 == .null ? nil : $0 }
        return given != .string(ConfidentialValues.mask) && given != kept
    }

    private static func replacingMasks(in draft: ConfigValue, stored: ConfigValue?, path: ConfigPath,
                                       missing: inout [ConfigIssue]) -> ConfigValue {
        switch draft {
        case .string(ConfidentialValues.mask):
            if let stored, stored != .string(ConfidentialValues.mask), stored != .null { return stored }
            missing.append(ConfigIssue(path: path.description, message: "is masked but no value is stored for it", hint: "Type the value again."))
            return draft
        case .object(let members):
            var result: [String: ConfigValue] = [:]
            for (key, value) in members {
                result[key] = replacingMasks(in: value, stored: stored?[key], path: path.appending(key), missing: &missing)
            }
            return .object(result)
        case .array(let elements):
            return .array(elements.enumerated().map { index, value in
                replacingMasks(in: value, stored: stored?[index], path: path.appending(index: index), missing: &missing)
            })
        default:
            return draft
        }
    }

    /// Writes `config` to ``file`` atomically with mode 0600 and remembers `draft` as stored, both
    /// under one lock, so two saves cannot leave the file and the memory disagreeing.
    /// - Throws: ``APIFailure`` when there is no file to write, or the write fails.
    func save(_ config: ConfigValue, draft: Stored) throws -> String {
        guard let file else {
            throw APIFailure(409, "There is no config file to save to.",
                             hint: "Start the console with --config FILE, or use Download.")
        }
        let text = try config.jsonText(pretty: true)
        try stored.withLock { stored in
            try Self.writeAtomically(Array(text.utf8) + [0x0A], to: file)
            stored = draft
        }
        return file
    }

    /// The saved form of a draft: a preset connector's config gets its `"preset"` key, so every
    /// other command (`send-test`, `validate`, the host app) reads the file as the `smtp` connector;
    /// any other connector but `smtp` is named by a top-level `"connector"` key (`sendmail`,
    /// `sendgrid-api`, a third party's). The console's own DevServer preset exists only in this
    /// run, so its values are written out in full instead (host, port, CA), and the file works
    /// with `send-test` while the console runs.
    static func saved(connector: String, config: ConfigValue, presets: PresetCatalog) -> ConfigValue {
        guard let preset = presets.preset(id: connector) else {
            return connector == "smtp" ? config : config.setting(.string(connector), atPath: ConnectorRegistry.connectorKey)
        }
        if connector == DevServerPreset.id { return preset.resolve(config).config }
        return config.setting(.string(connector), atPath: "preset")
    }

    /// The inverse of ``saved(connector:config:presets:)``.
    static func draft(fromSaved config: ConfigValue, presets: PresetCatalog) -> Stored {
        if let id = config[ConnectorRegistry.connectorKey]?.stringValue, id != "smtp" {
            return Stored(connector: id, config: config.removing(path: ConnectorRegistry.connectorKey))
        }
        if let id = config["preset"]?.stringValue, presets.preset(id: id) != nil {
            return Stored(connector: id, config: config.removing(path: "preset"))
        }
        return Stored(connector: "smtp", config: config)
    }

    /// Writes a temporary file created with mode 0600 beside `path`, syncs it, and renames it
    /// over `path`: a reader sees the old file or the new one, never a part, and the secrets are
    /// never in a file others can read.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(UUID().uuidString.prefix(8)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw APIFailure(500, code: .general, "Cannot create a file in \(directory.isEmpty ? "." : directory): \(String(cString: strerror(errno))).",
                             hint: "Check that the directory exists and is writable.")
        }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { break }
            written += result
        }
        let synced = fsync(descriptor) == 0
        let syncError = errno
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(written == bytes.count && !synced ? syncError : errno))
            unlink(temporary)
            throw APIFailure(500, code: .general, "Cannot write \(path): \(reason).", hint: "Check the disk and the file's permissions.")
        }
    }
}
