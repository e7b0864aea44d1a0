import Foundation
import SMTPWire

/// A server may echo what it was sent: "535 5.7.8 bad credentials for AGFsaWNl..." or the password
/// itself. Every reply is scrubbed of the credentials and of every AUTH payload sent on this
/// connection before the machine logs it, keeps it in an error or hands it to anyone, so a
/// hostile or careless server cannot put a secret into a transcript, an event or an error.
extension SMTPClientStateMachine {
    /// What a value shorter than this would hit by chance in ordinary reply text; such values are
    /// left alone (the password's length is then not given away either).
    static let shortestScrubbedSecret = 3

    /// The credentials this machine holds, longest first (see ``scrubbed(_:)-(String)``).
    static func secrets(in configuration: SMTPClientConfiguration, oauthToken: String?) -> [String] {
        let values = [configuration.credentials?.password, configuration.credentials?.user, configuration.oauth2?.user, oauthToken]
        return values.compactMap { $0 }.filter { $0.count >= shortestScrubbedSecret }.sorted { $0.count > $1.count }
    }

    /// Remembers the SASL payloads among `commands` (the base64 forms of the secrets).
    mutating func rememberPayloads(of commands: [SMTPCommand]) {
        for command in commands {
            switch command {
            case .auth(_, let response?), .authResponse(let response):
                guard response.count >= Self.shortestScrubbedSecret else { continue }
                // Kept longest first, once, not sorted again for every reply.
                secrets.insert(response, at: secrets.firstIndex { $0.count < response.count } ?? secrets.endIndex)
            default:
                continue
            }
        }
    }

    /// `reply` with every secret replaced by `<redacted>`.
    func scrubbed(_ reply: SMTPReply) -> SMTPReply {
        guard !secrets.isEmpty else { return reply }
        var clean = reply
        clean.lines = reply.lines.map(scrubbed)
        return clean
    }

    /// `text` with every secret replaced by `<redacted>`, longest first (a payload holds the password).
    func scrubbed(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var clean = text
        for secret in secrets where clean.contains(secret) {
            clean = clean.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return clean
    }
}
