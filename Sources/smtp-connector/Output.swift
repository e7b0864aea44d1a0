import ConnectorKit
import Foundation

/// Printing results and errors, as text or as JSON.
enum Output {
    /// Writes `text` to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("smtp-connector: " + text + "\n").utf8))
    }

    /// `text` with every control character (C0 but tab, DEL, C1) written as `\u{1B}`: what a
    /// captured message says (its subject, its addresses) must not reach the terminal raw, where an
    /// ESC sequence could retitle the window, hide lines or move the cursor.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(value) {
                result += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Writes a line to standard output at once (it may be a pipe, which print would buffer).
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints a JSON value on one line.
    static func json(_ value: ConfigValue) {
        print((try? value.jsonText()) ?? "{}")
    }

    /// Reports a failure (text or JSON) and returns exit code 1.
    static func fail(_ error: any Error, json: Bool) -> Int32 {
        let connectorError = error as? ConnectorError ?? ConnectorError(.general, "\(error)")
        if json {
            Self.json(connectorError.jsonValue)
        } else {
            Self.error(connectorError.description)
        }
        return 1
    }

    /// Reads a config from a file path or "-" (standard input).
    static func readConfig(_ source: String) throws -> ConfigValue {
        let data: Data
        if source == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: source) else {
                throw ConnectorError(.invalidConfig, "cannot read the config file \(source)", phase: .config,
                                     hint: "Give the path of a JSON file, or - to read standard input.")
            }
            data = contents
        }
        return try ConfigValue.parse(json: data)
    }
}
