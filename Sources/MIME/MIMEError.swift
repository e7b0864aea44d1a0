/// A message that cannot be composed safely (or, as `DKIMError`, signed), with the field that is wrong.
public struct MIMEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault, e.g. "to[1]", "subject", "header X-Campaign", "dkim.privateKey".
    public var field: String
    /// What is wrong with it.
    public var message: String

    /// Creates an error for `field`.
    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}

/// The check every value bound for a header or the SMTP envelope passes: no CR, LF or NUL.
///
/// Such a character would let a value end its header line and start another (header injection) or
/// end an SMTP command early, so it is refused rather than stripped.
enum LineSafety {
    static func check(_ value: String, field: String) throws {
        if let bad = value.unicodeScalars.first(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            let name = bad == "\r" ? "a carriage return (CR)" : bad == "\n" ? "a line feed (LF)" : "a NUL character"
            throw MIMEError(field: field, "contains \(name), which could inject a header line; remove it")
        }
    }
}
