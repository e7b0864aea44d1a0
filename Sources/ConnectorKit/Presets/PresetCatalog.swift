import Foundation

/// The presets a connector can resolve `"preset": "id"` with: built-in ones plus JSON files.
public struct PresetCatalog: Sendable {
    /// The presets, by id.
    public private(set) var presets: [String: Preset] = [:]

    /// A catalog of `presets` (a later one with the same id replaces an earlier one).
    public init(_ presets: [Preset] = []) {
        for preset in presets { self.presets[preset.id] = preset }
    }

    /// Adds or replaces a preset.
    public mutating func add(_ preset: Preset) {
        presets[preset.id] = preset
    }

    /// The preset with `id`, if any.
    public func preset(id: String) -> Preset? { presets[id] }

    /// Every preset, sorted by id.
    public var all: [Preset] { presets.values.sorted { $0.id < $1.id } }

    /// Adds every `*.json` preset file in `directory` (one preset per file).
    /// - Throws: ``ConnectorError`` (`invalid_config`) naming the file that does not decode.
    public mutating func load(directory: URL) throws {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        for file in files {
            do {
                let value = try ConfigValue.parse(json: Data(contentsOf: file))
                add(try ConfigValueDecoder().decode(Preset.self, from: value))
            } catch let error as ConnectorError {
                throw ConnectorError(.invalidConfig, "\(file.lastPathComponent): \(error.message)", phase: .config,
                                     hint: "A preset needs at least id, name and defaults; see Docs/Presets.md.")
            } catch {
                throw ConnectorError(.invalidConfig, "cannot read \(file.lastPathComponent): \(error.localizedDescription)", phase: .config)
            }
        }
    }

    /// The preset whose default or variant host is `host`, for reply hints on plain `smtp` configs.
    public func preset(forHost host: String) -> Preset? {
        let host = host.lowercased()
        return all.first { preset in
            let hosts = [preset.defaults["host"]] + preset.variants.flatMap { $0.options.map { $0.overrides["host"] } }
            return hosts.compactMap { $0?.stringValue?.lowercased() }.contains(host)
        }
    }
}
