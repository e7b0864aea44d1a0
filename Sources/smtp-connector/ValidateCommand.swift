import ConnectorKit
import StandardConnectors

/// `validate --config FILE|- [--json]`: lists every problem with its JSON path; exit 1 if any.
struct ValidateCommand: ConfigFileCommand {
    static let name = "validate"
    static let abstract = "check a connector config (smtp, preset or failover): every problem with its JSON path"

    let source: String
    let json: Bool

    func run() async -> Int32 {
        let check: ConnectorOperations.Check
        do {
            check = try ConnectorOperations().validate(Output.readConfig(source))
        } catch {
            return Output.fail(error, json: json)
        }
        let issues = check.issues, resolution = check.resolution
        if json {
            var object: [String: ConfigValue] = ["valid": .bool(issues.isEmpty), "issues": .array(issues.map(\.jsonValue))]
            if let resolution { object["resolved"] = ConfigDisplay.json(resolution) }
            Output.json(.object(object))
            return issues.isEmpty ? 0 : 1
        }
        if let resolution {
            print("With the preset applied:")
            ConfigDisplay.lines(resolution).forEach { print($0) }
            print("")
        }
        if issues.isEmpty {
            print("The configuration is valid.")
        } else {
            print("The configuration has \(issues.count) problem\(issues.count == 1 ? "" : "s"):")
            issues.forEach { print("  - \($0)") }
        }
        return issues.isEmpty ? 0 : 1
    }
}
