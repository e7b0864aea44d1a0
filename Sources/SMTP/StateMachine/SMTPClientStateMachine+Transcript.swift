import SMTPWire

/// The transcript: each command as sent (AUTH payloads redacted) and each reply as received, kept
/// only when the configuration has a transcript handler.
extension SMTPClientStateMachine {
    /// Writes `commands` (logged without AUTH payloads), then reads.
    mutating func sendCommands(_ commands: [SMTPCommand]) -> Action {
        for command in commands { log(.client, command.redactedLine) }
        rememberPayloads(of: commands)
        return .send(commands)
    }

    mutating func note(_ text: String) { log(.note, text) }

    mutating func log(_ direction: TranscriptLine.Direction, _ text: String) {
        guard configuration.transcript != nil else { return }
        transcriptLines.append(TranscriptLine(direction: direction, text: text))
    }

    mutating func logReply(_ reply: SMTPReply) {
        guard configuration.transcript != nil else { return }
        for (index, line) in reply.lines.enumerated() {
            let separator = index == reply.lines.count - 1 ? " " : "-"
            log(.server, "\(reply.code)\(separator)\(reply.enhancedCode.map { "\($0) " } ?? "")\(line)")
        }
    }

    static func excerpt(_ text: String) -> String {
        let printable = String(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return printable.count > 80 ? String(printable.prefix(80)) + "…" : printable
    }
}
