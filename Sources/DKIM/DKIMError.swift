/// A DKIM key or message that cannot be used, naming the config field.
public struct DKIMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault, e.g. "dkim.privateKey".
    public var field: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}
