/// A command the client sends, encoded as one CRLF-terminated line (RFC 5321 §4.1).
public enum SMTPCommand: Sendable, Equatable {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `AUTH mechanism [initial-response]`.
    case auth(mechanism: String, initialResponse: String?)
    /// A SASL continuation line (base64 text or `*`).
    case authResponse(String)
    case mailFrom(String, parameters: [String])
    case rcptTo(String)
    case data
    case rset
    case noop
    case quit

    /// The command line with CRLF.
    ///
    /// Callers validate values first; as a last line of defence this traps on CR, LF or NUL, which
    /// would split one command into two (command injection).
    public var line: String {
        let text = self.text
        precondition(!text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }), "unsafe SMTP command")
        return text + "\r\n"
    }

    /// The command without its line ending.
    private var text: String {
        let text: String
        switch self {
        case .ehlo(let name): text = "EHLO \(name)"
        case .helo(let name): text = "HELO \(name)"
        case .startTLS: text = "STARTTLS"
        case .auth(let mechanism, let response): text = response.map { "AUTH \(mechanism) \($0)" } ?? "AUTH \(mechanism)"
        case .authResponse(let response): text = response
        case .mailFrom(let address, let parameters): text = (["MAIL FROM:<\(address)>"] + parameters).joined(separator: " ")
        case .rcptTo(let address): text = "RCPT TO:<\(address)>"
        case .data: text = "DATA"
        case .rset: text = "RSET"
        case .noop: text = "NOOP"
        case .quit: text = "QUIT"
        }
        return text
    }

    /// The line as it may be logged: AUTH payloads are replaced, so secrets never reach a log.
    public var redactedLine: String {
        switch self {
        case .auth(let mechanism, let response): return response == nil ? "AUTH \(mechanism)" : "AUTH \(mechanism) <redacted>"
        case .authResponse(let response): return response == "*" ? "*" : "<redacted>"
        default: return text
        }
    }
}
