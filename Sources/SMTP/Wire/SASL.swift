import Foundation

/// Credentials for SMTP AUTH. The password never appears in `description` or in any error.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The user name (UTF-8 allowed).
    public var user: String
    /// The password (UTF-8 allowed).
    public var password: String

    /// Creates credentials.
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// `user` and a mask; never the password.
    public var description: String { "\(user) / ********" }
}

/// A SASL mechanism the client can use.
public enum SASLMechanism: String, Sendable, CaseIterable {
    /// RFC 4616: one message with authzid NUL authcid NUL password.
    case plain = "PLAIN"
    /// The de-facto LOGIN mechanism: user name and password in two base64 answers.
    case login = "LOGIN"

    /// Preference when the config does not name one: PLAIN needs one round trip fewer.
    static let preference: [SASLMechanism] = [.plain, .login]

    /// The AUTH PLAIN initial response: base64("" NUL user NUL password) in UTF-8 (RFC 4616 §2).
    static func plainResponse(_ credentials: SMTPCredentials) -> String {
        let bytes = [0] + Array(credentials.user.utf8) + [0] + Array(credentials.password.utf8)
        return Data(bytes).base64EncodedString()
    }

    /// base64 of UTF-8 text, for LOGIN's answers.
    static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
