import CryptoSupport
import Foundation

/// Credentials for SMTP AUTH. The password never appears in `description` or in any error.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The user name (UTF-8 allowed).
    public var user: String
    /// The password (UTF-8 allowed).
    public var password: String

    /// Creates credentials.
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Masks only: the user name is as confidential as the password (it is half of the secret).
    public var description: String { "SMTPCredentials(user: ********, password: ********)" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// No child values, so `dump` shows nothing secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// OAuth2 credentials for XOAUTH2: a user and a source of access tokens.
///
/// The token source is asked once per connection, before connecting, so a host can refresh
/// tokens (Gmail's last about an hour) in its own async code.
public struct SMTPOAuth2: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mailbox the token belongs to.
    public var user: String
    /// Returns a current access token.
    public var accessToken: @Sendable () async throws -> String

    /// Credentials that ask `accessToken` for a token before each connection.
    public init(user: String, accessToken: @escaping @Sendable () async throws -> String) {
        self.user = user
        self.accessToken = accessToken
    }

    /// Credentials with a fixed token.
    public init(user: String, token: String) {
        self.init(user: user, accessToken: { token })
    }

    /// Masks only: neither the user name nor the token.
    public var description: String { "SMTPOAuth2(user: ********, token: ********)" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// No child values, so `dump` shows nothing secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A SASL mechanism the client can use.
public enum SASLMechanism: String, Sendable, CaseIterable {
    /// RFC 4616: one message with authzid NUL authcid NUL password.
    case plain = "PLAIN"
    /// The de-facto LOGIN mechanism: user name and password in two base64 answers.
    case login = "LOGIN"
    /// RFC 2195: an HMAC-MD5 of the server's challenge; the password itself never crosses the wire.
    case cramMD5 = "CRAM-MD5"
    /// Google's XOAUTH2 (also Microsoft 365): an OAuth2 bearer token.
    case xoauth2 = "XOAUTH2"

    /// Preference for passwords when the config names no mechanism: the one that reveals least
    /// first. A server that stores only password hashes cannot check CRAM-MD5; pin PLAIN then.
    public static let passwordPreference: [SASLMechanism] = [.cramMD5, .plain, .login]

    /// The AUTH PLAIN initial response: base64("" NUL user NUL password) in UTF-8 (RFC 4616 §2).
    public static func plainResponse(_ credentials: SMTPCredentials) -> String {
        let bytes = [0] + Array(credentials.user.utf8) + [0] + Array(credentials.password.utf8)
        return Data(bytes).base64EncodedString()
    }

    /// The CRAM-MD5 answer to a base64 `challenge`: base64(user SP hex(HMAC-MD5(password, challenge))).
    public static func cramMD5Response(_ credentials: SMTPCredentials, challenge: String) -> String? {
        guard let decoded = Data(base64Encoded: challenge.trimmingCharacters(in: .whitespaces)) else { return nil }
        return base64("\(credentials.user) \(cramMD5Digest(password: credentials.password, challenge: Array(decoded)))")
    }

    /// hex(HMAC-MD5(password, challenge)): what the client computes and the server checks (RFC 2195 §2).
    public static func cramMD5Digest(password: String, challenge: [UInt8]) -> String {
        Digest.hmacMD5(key: Array(password.utf8), message: challenge).map { String(format: "%02x", $0) }.joined()
    }

    /// The XOAUTH2 initial response: base64("user=" U ^A "auth=Bearer " T ^A ^A).
    public static func xoauth2Response(user: String, token: String) -> String {
        base64("user=\(user)\u{01}auth=Bearer \(token)\u{01}\u{01}")
    }

    /// base64 of UTF-8 text, for LOGIN's answers.
    public static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
