import ConnectorKit
import Foundation

/// Printing results and errors, as text or as JSON.
enum Output {
    /// Writes `text` to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("smtp-connector: " + text + "\n").utf8))
    }

    /// Prints a JSON value on one line.
    static func json(_ value: ConfigValue) {
        print((try? value.jsonText()) ?? "{}")
    }

    /// `{"error": {"code", "message", "phase", "reply", "hint", "issues"}}` for `--json` output.
    static func errorJSON(_ error: ConnectorError) -> ConfigValue {
        var body: [String: ConfigValue] = [
            "code": .string(error.code.rawValue),
            "message": .string(error.message),
            "phase": error.phase.map { .string($0.rawValue) } ?? .null,
            "reply": error.reply.map { reply in
                ["code": .number(Double(reply.code)), "enhancedCode": reply.enhancedCode.map(ConfigValue.string) ?? .null,
                 "text": .string(reply.text)]
            } ?? .null,
            "hint": error.hint.map(ConfigValue.string) ?? .null,
        ]
        if !error.issues.isEmpty { body["issues"] = .array(error.issues.map(issueJSON)) }
        return ["error": .object(body)]
    }

    /// One config issue as JSON.
    static func issueJSON(_ issue: ConfigIssue) -> ConfigValue {
        ["path": .string(issue.path), "message": .string(issue.message), "hint": issue.hint.map(ConfigValue.string) ?? .null]
    }

    /// Reports a failure (text or JSON) and returns exit code 1.
    static func fail(_ error: any Error, json: Bool) -> Int32 {
        let connectorError = error as? ConnectorError ?? ConnectorError(.general, "\(error)")
        if json {
            Self.json(errorJSON(connectorError))
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
