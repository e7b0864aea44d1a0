import ConnectorKit
import SMTP

extension SMTPDiagnosis {
    /// `{"ok", "steps": [{"name", "status", "ms", "detail", "hint"}]}`: `doctor --json` and the
    /// console's Diagnose.
    public var jsonValue: ConfigValue {
        ["ok": .bool(ok), "steps": .array(steps.map { step in
            ["name": .string(step.name), "status": .string(step.status.rawValue), "ms": .number(Double(step.milliseconds)),
             "detail": .string(step.detail), "hint": step.hint.map(ConfigValue.string) ?? .null]
        })]
    }
}
