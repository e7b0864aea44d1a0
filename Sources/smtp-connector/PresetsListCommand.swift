import ConnectorKit
import Foundation
import Presets

/// `presets list [--json]`: every standard preset with its host and port.
struct PresetsListCommand: CLICommand {
    static let name = "presets list"
    static let abstract = "list the provider presets (id, name, host and port)"
    static let json = CLIOption.jsonOutput
    static let options = [json]

    let json: Bool

    init(arguments: ParsedArguments) throws {
        json = arguments.flag(Self.json)
    }

    func run() async -> Int32 {
        let catalog = PresetCatalog.standard
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
}
