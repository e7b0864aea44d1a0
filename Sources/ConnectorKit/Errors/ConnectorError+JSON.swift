extension ConnectorError {
    /// `{"error": {"code", "message", "phase", "reply", "hint", "issues"}}`: the shape of the CLI's
    /// `--json` errors and of the console's API errors (`issues` only when there are some).
    public var jsonValue: ConfigValue {
        var body: [String: ConfigValue] = [
            "code": .string(code.rawValue),
            "message": .string(message),
            "phase": phase.map { .string($0.rawValue) } ?? .null,
            "reply": reply.map { reply in
                ["code": .number(Double(reply.code)), "enhancedCode": reply.enhancedCode.map(ConfigValue.string) ?? .null,
                 "text": .string(reply.text)]
            } ?? .null,
            "hint": hint.map(ConfigValue.string) ?? .null,
        ]
        if !issues.isEmpty { body["issues"] = .array(issues.map(\.jsonValue)) }
        if !failoverHops.isEmpty { body["hops"] = .array(failoverHops.map(\.jsonValue)) }
        return ["error": .object(body)]
    }
}

extension ConfigIssue {
    /// `{"path", "message", "hint"}`.
    public var jsonValue: ConfigValue {
        ["path": .string(path), "message": .string(message), "hint": hint.map(ConfigValue.string) ?? .null]
    }
}

extension SendReceipt {
    /// `{"messageId", "accepted", "rejected": [{"address", "reply"}], "response"}`, plus
    /// `"failover": {"memberIndex", "member", "hops"}` after a failover: `send-test --json` and
    /// the console's test send.
    public var jsonValue: ConfigValue {
        var object: [String: ConfigValue] = [
            "messageId": .string(messageID),
            "accepted": .array(accepted.map(ConfigValue.string)),
            "rejected": .array(rejected.map { ["address": .string($0.address), "reply": .string($0.reply.description)] }),
            "response": .string(response),
        ]
        if let failover {
            object["failover"] = ["memberIndex": .number(Double(failover.memberIndex)), "member": .string(failover.member),
                                  "hops": .array(failover.hops.map(\.jsonValue))]
        }
        return .object(object)
    }
}

extension FailoverHop {
    /// `{"memberIndex", "member", "code", "phase", "reply", "message"}`.
    public var jsonValue: ConfigValue {
        let error = self.error.jsonValue["error"]?.objectValue ?? [:]
        return ["memberIndex": .number(Double(memberIndex)), "member": .string(member), "code": error["code"] ?? .null,
                "phase": error["phase"] ?? .null, "reply": error["reply"] ?? .null, "message": error["message"] ?? .null]
    }
}
