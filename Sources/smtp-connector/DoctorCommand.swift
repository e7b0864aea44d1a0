import ConnectorKit
import StandardConnectors

/// `doctor --config FILE|- [--json]`: probes the provider step by step and says how to fix what
/// fails; for a failover config, every member in turn. Works for every connector that offers a
/// diagnosis (``DiagnosableConnector``).
struct DoctorCommand: ConfigFileCommand {
    static let name = "doctor"
    static let abstract = "probe the provider step by step without sending (each failover member in turn); each failure with its fix"
    static let discussion = "For SMTP: DNS, TCP, TLS, greeting, EHLO, STARTTLS, AUTH and MAIL FROM, then RSET and QUIT."

    let source: String
    let json: Bool

    func run() async -> Int32 {
        let diagnosis: ConnectorDiagnosis
        do {
            diagnosis = try await ConnectorOperations().diagnose(Output.readConfig(source))
        } catch {
            return Output.fail(error, json: json)
        }
        if json {
            Output.json(diagnosis.jsonValue)
        } else {
            Self.lines(diagnosis).forEach { print($0) }
            print(diagnosis.ok ? "\nEverything needed to send works; nothing was sent." : "\nFix the failed step and run doctor again.")
        }
        return diagnosis.ok ? 0 : 1
    }

    /// The diagnosis as text: a line per step with its fix under it; a failover member's steps
    /// under its label.
    static func lines(_ diagnosis: ConnectorDiagnosis) -> [String] {
        var lines: [String] = []
        for step in diagnosis.steps {
            let mark = switch step.status {
            case .pass: "ok  "
            case .warn: "WARN"
            case .fail: "FAIL"
            case .skip: "skip"
            }
            lines.append("\(mark) \(step.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(step.milliseconds).leftPadded(5)) ms  \(step.detail)")
            if let hint = step.hint { lines.append("     fix: \(hint)") }
        }
        for member in diagnosis.members {
            lines.append(member.label)
            lines += self.lines(member.diagnosis)
        }
        return lines
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
