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

    /// The credentials this machine holds.
    static func secrets(in configuration: SMTPClientConfiguration, oauthToken: String?) -> [String] {
        let values = [configuration.credentials?.password, configuration.credentials?.user, configuration.oauth2?.user, oauthToken]
        return values.compactMap { $0 }.filter { $0.count >= shortestScrubbedSecret }
    }

    /// Remembers the SASL payloads among `commands` (the base64 forms of the secrets).
    mutating func rememberPayloads(of commands: [SMTPCommand]) {
        for command in commands {
            switch command {
            case .auth(_, let response?), .authResponse(let response):
                if response.count >= Self.shortestScrubbedSecret { secrets.append(response) }
            default:
                break
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
        for secret in secrets.sorted(by: { $0.count > $1.count }) where clean.contains(secret) {
            clean = clean.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return clean
    }
}
