extension ConnectorError {
    /// What `send.finished` and `failover.hop` events say about a failure: `outcome` (`failed` or
    /// `outcome_unknown`), `code`, `phase`, `replyCode`, `enhancedCode` and `error` (the message,
    /// which never holds a secret).
    public var eventMetadata: [String: ConnectorEvent.Value] {
        var metadata: [String: ConnectorEvent.Value] = [
            "outcome": .string(code == .outcomeUnknown ? "outcome_unknown" : "failed"),
            "code": .string(code.rawValue),
            "error": .string(message),
        ]
        if let phase { metadata["phase"] = .string(phase.rawValue) }
        if let reply {
            metadata["replyCode"] = .int(reply.code)
            if let enhancedCode = reply.enhancedCode { metadata["enhancedCode"] = .string(enhancedCode) }
        }
        return metadata
    }
}
