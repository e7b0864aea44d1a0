extension ConnectorEvent {
    /// `{"event": "send.finished", "level": "info", "connector": "smtp", "durationMs": 12.3, ...}`:
    /// the name, level, connector and duration, then the metadata keys at the same level (a
    /// metadata key never replaces one of those four). The CLI's `--events` prints this.
    public var jsonValue: ConfigValue {
        var object: [String: ConfigValue] = metadata.mapValues { value in
            switch value {
            case .string(let text): .string(text)
            case .int(let number): .number(Double(number))
            case .double(let number): .number(number)
            case .bool(let flag): .bool(flag)
            }
        }
        object["event"] = .string(name.rawValue)
        object["level"] = .string(level.rawValue)
        object["connector"] = .string(connector)
        if let milliseconds = durationMilliseconds {
            object["durationMs"] = .number((milliseconds * 1000).rounded() / 1000)
        }
        return .object(object)
    }
}
