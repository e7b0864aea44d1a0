import ConnectorKit
import Foundation

/// `--events`: one JSON object per event on standard error, as it happens, with `event`, `level`,
/// `connector` and `durationMs` first and the metadata keys after them in sorted order.
enum EventPrinter {
    /// The handler `--events` installs, or none.
    static func handler(enabled: Bool) -> ConnectorEventHandler {
        guard enabled else { return .none }
        return ConnectorEventHandler { event in
            // One write per line, so lines from different threads never interleave.
            FileHandle.standardError.write(Data((line(event) + "\n").utf8))
        }
    }

    /// The event as one line of JSON.
    static func line(_ event: ConnectorEvent) -> String {
        let object = event.jsonValue.objectValue ?? [:]
        let lead = ["event", "level", "connector", "durationMs"].filter { object[$0] != nil }
        let keys = lead + object.keys.filter { !lead.contains($0) }.sorted()
        let members = keys.map { key in
            "\((try? ConfigValue.string(key).jsonText()) ?? "\"?\""):\((try? object[key]!.jsonText()) ?? "null")"
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}
