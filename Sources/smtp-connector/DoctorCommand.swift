import ConnectorKit
import Presets
import SMTP
import SMTPWire
import SMTPConnector
import StandardConnectors

/// `doctor --config FILE|- [--json]`: probes the server step by step and says how to fix what
/// fails; for a failover config, every member in turn.
struct DoctorCommand: CLICommand {
    static let name = "doctor"
    static let usage = """
        doctor --config FILE|- [--json]        probe DNS, TCP, TLS, greeting, EHLO, STARTTLS, AUTH and MAIL FROM
                                                without sending (each failover member in turn); each failure comes with its fix
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
        let targets: [(label: String?, index: Int, name: String, connector: SMTPConnector)]
        do {
            let config = try Output.readConfig(source)
            let registry = ConnectorRegistry.standard
            if ConnectorRegistry.connectorID(for: config) == FailoverConnectorFactory.id {
                let (parsed, issues) = FailoverConfig.read(config, registry: registry)
                guard let parsed else {
                    throw ConnectorError(.invalidConfig, "the failover configuration has problems", phase: .config, issues: issues)
                }
                targets = try parsed.members.map { member in
                    (member.label, member.index, member.name, try smtpConnector(registry, id: member.connectorID, config: member.config, label: member.label))
                }
            } else {
                targets = [(nil, 0, "smtp", try smtpConnector(registry, id: SMTPConnector.metadata.id, config: config, label: nil))]
            }
        } catch {
            return Output.fail(error, json: json)
        }
        var diagnoses: [SMTPDiagnosis] = []
        for target in targets {
            let diagnosis = await target.connector.diagnose()
            diagnoses.append(diagnosis)
            if !json { printText(diagnosis, label: target.label) }
        }
        let ok = diagnoses.allSatisfy(\.ok)
        if json {
            if targets.first?.label == nil {
                Output.json(diagnoses[0].jsonValue)
            } else {
                let members: [ConfigValue] = zip(targets, diagnoses).map { target, diagnosis in
                    var object = diagnosis.jsonValue.objectValue ?? [:]
                    object["memberIndex"] = .number(Double(target.index))
                    object["member"] = .string(target.name)
                    return .object(object)
                }
                Output.json(["ok": .bool(ok), "members": .array(members)])
            }
        } else {
            print(ok ? "\nEverything needed to send works; nothing was sent." : "\nFix the failed step and run doctor again.")
        }
        return ok ? 0 : 1
    }

    private func smtpConnector(_ registry: ConnectorRegistry, id: String, config: ConfigValue, label: String?) throws -> SMTPConnector {
        let connector = try registry.factory(id: id)!.makeConnector(config: config)
        guard let smtp = connector as? SMTPConnector else {
            throw ConnectorError(.general, "\(label ?? id) is a \(id) connector, which doctor cannot probe",
                                 hint: "doctor probes SMTP connectors (smtp and its presets).")
        }
        return smtp
    }

    private func printText(_ diagnosis: SMTPDiagnosis, label: String?) {
        if let label { print("\(label)") }
        for step in diagnosis.steps {
            let mark = ["pass": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"][step.status.rawValue]!
            print("\(mark) \(step.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(step.milliseconds).leftPadded(5)) ms  \(step.detail)")
            if let hint = step.hint { print("     fix: \(hint)") }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
