extension ConnectorDiagnosis {
    /// `{"ok", "steps": [{"name", "status", "ms", "detail", "hint", "reply"}]}`, and for a failover
    /// connector `"members": [{"memberIndex", "member", "ok", "steps"}]`: `doctor --json` and the
    /// console's Diagnose.
    public var jsonValue: ConfigValue {
        var object: [String: ConfigValue] = ["ok": .bool(ok), "steps": .array(steps.map(\.jsonValue))]
        if !members.isEmpty {
            object["members"] = .array(members.map { member in
                var entry = member.diagnosis.jsonValue.objectValue ?? [:]
                entry["memberIndex"] = .number(Double(member.index))
                entry["member"] = .string(member.name)
                return .object(entry)
            })
        }
        return .object(object)
    }
}

extension ConnectorDiagnosis.Step {
    /// `{"name", "status", "ms", "detail", "hint", "reply"}`.
    public var jsonValue: ConfigValue {
        ["name": .string(name), "status": .string(status.rawValue), "ms": .number(Double(milliseconds)),
         "detail": .string(detail), "hint": hint.map(ConfigValue.string) ?? .null, "reply": reply.map(ConfigValue.string) ?? .null]
    }
}
