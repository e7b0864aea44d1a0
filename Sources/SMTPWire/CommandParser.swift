/// The server side of ``SMTPCommand``: a client's command line read back into the same type the
/// client encodes (RFC 5321 §4.1), so both ends share one definition of the syntax.
extension SMTPCommand {
    /// A line that is not a command this library knows, with the reply a server should send.
    public struct ParseError: Error, Sendable, Equatable {
        /// 500, 501 or 502 with an enhanced code and text.
        public var reply: SMTPReply
    }

    /// Reads one command line (without its CRLF). SASL continuation lines are not commands: read
    /// them as they are while an AUTH exchange is under way.
    /// - Throws: ``ParseError`` carrying the reply to send (502 for an unknown verb, 501 for bad arguments).
    public init(parsing line: String) throws(ParseError) {
        // RFC 5321 §4.1: a command line is printable text (UTF-8 in addresses with SMTPUTF8). A
        // control character (a bare CR, a NUL) would reach the session's state and its replies, so
        // the line is refused whole, as the client side refuses to write one.
        guard !line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ParseError(reply: SMTPReply(code: 501, enhancedCode: "5.5.2", lines: ["Syntax error: the line holds a control character"]))
        }
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : ""
        func syntax(_ usage: String) -> ParseError {
            ParseError(reply: SMTPReply(code: 501, enhancedCode: "5.5.4", lines: ["Syntax: \(usage)"]))
        }
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty else { throw syntax("\(verb) hostname") }
            self = verb == "EHLO" ? .ehlo(argument) : .helo(argument)
        case "STARTTLS": self = .startTLS
        case "DATA": self = .data
        case "RSET": self = .rset
        case "NOOP": self = .noop
        case "QUIT": self = .quit
        case "AUTH":
            let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
            guard let mechanism = parts.first else { throw syntax("AUTH mechanism [initial-response]") }
            self = .auth(mechanism: mechanism.uppercased(), initialResponse: parts.count > 1 ? parts[1] : nil)
        case "MAIL":
            guard let (path, parameters) = Self.path(argument, prefix: "FROM:") else { throw syntax("MAIL FROM:<address>") }
            self = .mailFrom(path, parameters: parameters)
        case "RCPT":
            guard let (path, _) = Self.path(argument, prefix: "TO:"), !path.isEmpty else { throw syntax("RCPT TO:<address>") }
            self = .rcptTo(path)
        default:
            throw ParseError(reply: SMTPReply(code: 502, enhancedCode: "5.5.2", lines: ["Command not recognized"]))
        }
    }

    /// `FROM:<a@b> SIZE=1` -> (`a@b`, [`SIZE=1`]).
    private static func path(_ argument: String, prefix: String) -> (String, [String])? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).drop { $0 == " " }
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else { return nil }
        let parameters = rest[rest.index(after: close)...].split(separator: " ").map(String.init)
        return (String(rest[rest.index(after: rest.startIndex)..<close]), parameters)
    }
}

extension SMTPReply {
    /// A one-line reply.
    /// - Parameters:
    ///   - code: the reply code.
    ///   - enhancedCode: the RFC 3463 status, e.g. "2.0.0".
    ///   - text: the text.
    public init(_ code: Int, _ enhancedCode: String?, _ text: String) {
        self.init(code: code, enhancedCode: enhancedCode, lines: [text])
    }

    /// The reply as the server writes it: `250-first`, ..., `250 last`, each line with the enhanced
    /// code when there is one, and CRLF.
    public var wireText: String {
        let lines = self.lines.isEmpty ? [""] : self.lines
        return lines.enumerated().map { index, line in
            let separator = index == lines.count - 1 ? " " : "-"
            return "\(code)\(separator)\(enhancedCode.map { "\($0) " } ?? "")\(line)\r\n"
        }.joined()
    }
}
