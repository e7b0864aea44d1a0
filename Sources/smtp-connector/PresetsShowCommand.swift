import ConnectorKit
import Foundation
import Presets

/// `presets show ID [--config FILE|-] [--json]`: a preset's defaults, variants, aliases and hints,
/// and with a config, the config resolved and where each value came from.
struct PresetsShowCommand: CLICommand {
    static let name = "presets show"
    static let abstract = "show a preset's defaults, variants and hints; with --config, the resolved config and each value's source"
    static let preset = CLIArgument(name: "ID", help: "the preset's id, as `presets list` shows it")
    static let arguments = [preset]
    static let config = CLIOption.value("--config", "FILE|-", help: "a config to resolve with the preset; - reads it from stdin")
    static let json = CLIOption.jsonOutput
    static let options = [config, json]

    let id: String
    let configSource: String?
    let json: Bool

    init(arguments: ParsedArguments) throws {
        id = try arguments.positional(Self.preset)
        configSource = arguments.value(Self.config)
        json = arguments.flag(Self.json)
    }

    func run() async -> Int32 {
        let catalog = PresetCatalog.standard
        guard let preset = catalog.preset(id: id) else {
            Output.error("no preset \"\(id)\"; known: \(catalog.all.map(\.id).joined(separator: ", "))")
            return 1
        }
        var resolution: PresetResolution?
        if let configSource {
            do {
                resolution = preset.resolve(try Output.readConfig(configSource).setting(.string(id), atPath: "preset"))
            } catch {
                return Output.fail(error, json: json)
            }
        }
        if json {
            let presetJSON = (try? ConfigValue.parse(json: String(decoding: JSONEncoder.sorted.encode(preset), as: UTF8.self))) ?? .null
            var object: [String: ConfigValue] = ["preset": presetJSON.maskingConfidentialValues]
            if let resolution {
                object["resolved"] = ConfigDisplay.json(resolution)
                object["issues"] = .array(resolution.issues.map(\.jsonValue))
            }
            Output.json(.object(object))
        } else {
            describe(preset)
            if let resolution {
                print("\nResolved configuration:")
                ConfigDisplay.lines(resolution).forEach { print($0) }
                for issue in resolution.issues { print("  ! \(issue)") }
            }
        }
        return resolution?.issues.isEmpty == false ? 1 : 0
    }

    private func describe(_ preset: Preset) {
        print("\(preset.name) (\(preset.id)): \(preset.description)")
        print("docs: \(preset.docs)")
        print("\nDefaults:")
        for leaf in preset.defaults.leaves { print("  \(leaf.path) = \(ConfigDisplay.text(path: leaf.path, value: leaf.value))") }
        for set in preset.variants {
            print("\nVariants (\"\(set.key)\"):")
            for option in set.options {
                let marker = option.name == set.defaultValue ? " (default)" : ""
                let port = option.port.map { ", chosen by port \($0)" } ?? ""
                print("  \(option.name)\(marker): \(option.description)\(port)")
            }
        }
        if !preset.aliases.isEmpty {
            print("\nAliases:")
            for alias in preset.aliases {
                let extra = alias.set.sorted { $0.key < $1.key }.map { "\($0.key) = \(ConfigDisplay.text(path: $0.key, value: $0.value))" }
                print("  \(alias.from) -> \(alias.to)" + (extra.isEmpty ? "" : " (and \(extra.joined(separator: ", ")))"))
            }
        }
        if !preset.required.isEmpty {
            print("\nYou provide:")
            for field in preset.required { print("  \(field.path): \(field.hint)") }
        }
        for field in preset.derived { print("  \(field.path) defaults to \(field.source)") }
        let limits = [preset.limits.messagesPerConnection.map { "at most \($0) messages per connection" },
                      preset.limits.recipientsPerMessage.map { "at most \($0) recipients per message" }].compactMap { $0 }
            + preset.limits.notes
        if !limits.isEmpty {
            print("\nLimits:")
            limits.forEach { print("  - \($0)") }
        }
        if !preset.notes.isEmpty {
            print("\nNotes:")
            preset.notes.forEach { print("  - \($0)") }
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
