import ConnectorKit
import Presets
import SMTP
import SMTPWire
import SMTPConnector

/// `doctor --config FILE|- [--json]`: probes the server step by step and says how to fix what fails.
struct DoctorCommand: CLICommand {
    static let name = "doctor"
    static let usage = """
        doctor --config FILE|- [--json]        probe DNS, TCP, TLS, greeting, EHLO, STARTTLS, AUTH and MAIL FROM
                                                without sending; each failure comes with its fix
        """
    static let options: Set<String> = ["--config"]
    static let flags: Set<String> = ["--json"]

    let source: String
    let json: Bool

    init(arguments: inout ParsedArguments) throws {
        source = try arguments.required("--config")
        json = arguments.flag("--json")
    }

    func run() async -> Int32 {
        let connector: SMTPConnector
        do {
            let config = try SMTPConnectorConfig.parse(try Output.readConfig(source), presets: .standard)
            connector = try SMTPConnector(config: config)
        } catch {
            return Output.fail(error, json: json)
        }
        let diagnosis = await connector.diagnose()
        if json {
            Output.json(diagnosis.jsonValue)
        } else {
            for step in diagnosis.steps {
                let mark = ["pass": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"][step.status.rawValue]!
                print("\(mark) \(step.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(step.milliseconds).leftPadded(5)) ms  \(step.detail)")
                if let hint = step.hint { print("     fix: \(hint)") }
            }
            print(diagnosis.ok ? "\nEverything needed to send works; nothing was sent." : "\nFix the failed step and run doctor again.")
        }
        return diagnosis.ok ? 0 : 1
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
