import ConnectorKit
import Presets

/// `presets list` and `presets show ID [--config FILE] [--json]`.
struct PresetsCommand: CLICommand {
    static let name = "presets"
    static let usage = """
        presets list | presets show ID [--config FILE|-] [--json]
                                                provider presets; show prints defaults, variants and hints,
                                                and with --config the resolved config and where each value came from
        """
    static let options: Set<String> = ["--config", "--dir"]
    static let flags: Set<String> = ["--json"]

    let action: String
    let id: String?
    let configSource: String?
    let json: Bool

    init(arguments: inout ParsedArguments) throws {
        configSource = arguments.value("--config")
        json = arguments.flag("--json")
        let words = arguments.takePositionals()
        guard let action = words.first, ["list", "show"].contains(action) else {
            throw UsageError(message: "expected `presets list` or `presets show ID`")
        }
        self.action = action
        if action == "show" {
            guard words.count == 2 else { throw UsageError(message: "`presets show` needs one preset id") }
            id = words[1]
        } else {
            guard words.count == 1 else { throw UsageError(message: "`presets list` takes no argument") }
            id = nil
        }
    }

    func run() async -> Int32 {
        let catalog = PresetCatalog.standard
        guard let id else {
            if json {
                Output.json(.array(catalog.all.map { ["id": .string($0.id), "name": .string($0.name), "host": $0.defaults["host"] ?? .null,
                                                      "port": $0.defaults["port"] ?? .null, "docs": .string($0.docs)] }))
            } else {
                for preset in catalog.all {
                    let host = preset.defaults["host"]?.stringValue ?? "?"
                    let port = preset.defaults["port"]?.templateText ?? "?"
                    print("\(preset.id.padding(toLength: 18, withPad: " ", startingAt: 0)) \(preset.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(host):\(port)")
                }
            }
            return 0
        }
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
                let extra = alias.set.keys.sorted().map { "\($0) = \(ConfigDisplay.text(path: $0, value: alias.set[$0]!))" }
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

import Foundation

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
