import ConnectorKit
import MIME
import SMTP
import SMTPWire

extension ConnectorError {
    /// Translates a transport failure into Logto's error codes, keeping phase, reply and hint;
    /// the provider preset's hint for the reply, when it has one, replaces the generic one.
    init(_ error: SMTPError, preset: Preset?) {
        let code: Code
        if error.outcomeUnknown {
            code = .outcomeUnknown
        } else if error.kind == .authentication {
            code = .authorizationFailed
        } else if error.kind == .cancelled {
            code = .cancelled
        } else if error.isTLS {
            code = .tlsFailed
        } else if error.kind == .invalidInput {
            code = .invalidRequest
        } else if error.kind == .connection || error.kind == .timeout || error.kind == .connectionClosed
                    || (error.kind == .protocolViolation && error.reply == nil) {
            code = .socketError
        } else if let reply = error.reply, Self.isRateLimit(reply) {
            code = .rateLimitExceeded
        } else if error.reply != nil || error.kind == .protocolViolation {
            code = .invalidResponse
        } else {
            code = .general
        }
        self.init(code, error.message,
                  phase: Phase(rawValue: error.phase.rawValue),
                  reply: error.reply.map { ServerReply(code: $0.code, enhancedCode: $0.enhancedCode, text: $0.text) },
                  hint: error.reply.flatMap { preset?.hint(forReplyCode: $0.code, enhancedCode: $0.enhancedCode, text: $0.text) }
                      ?? error.hint,
                  isTransient: error.isTransient)
    }

    /// A message that could not be composed safely.
    init(_ error: MIMEError) {
        self.init(.invalidRequest, "Cannot compose the message: \(error.description).", phase: .compose,
                  hint: "Check the recipient addresses and the template values for line breaks.")
    }

    /// 4xx replies that mean "slow down" (Gmail 421 4.7.0 / 550 5.4.5, SendGrid 451/452, SES 454).
    private static func isRateLimit(_ reply: SMTPReply) -> Bool {
        let text = reply.text.lowercased()
        let mentionsLimit = ["rate", "limit", "too many", "throttl", "quota", "exceeded"].contains { text.contains($0) }
        return mentionsLimit && (reply.isTransient || reply.enhancedCode == "5.4.5")
    }
}
