import SMTPWire

/// SMTPWire's command parser, the DevServer's side of the dialogue, against any line a client sends.
///
/// A line that parses must be one the client side could have sent: encoding it back (which traps on
/// CR, LF or NUL, the last defence against command injection) must not trap, and parsing the encoded
/// line must give the same command (the parser reads what the encoder writes).
enum CommandParserTarget {
    static func check(_ data: [UInt8]) throws {
        let line = FuzzBytes.text(data)
        guard let command = try? SMTPCommand(parsing: line) else { return }
        let unsafe = command.redactedLine.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
        try require(!unsafe, "the parser accepted a line with CR, LF or NUL: \(command)")
        let encoded = command.line
        try require(encoded.hasSuffix("\r\n"), "an encoded command without CRLF")
        let again = try? SMTPCommand(parsing: String(decoding: encoded.utf8.dropLast(2), as: UTF8.self))
        try require(again == command, "\(command) encodes as \(encoded.debugDescription), which parses as \(String(describing: again))")
    }
}
