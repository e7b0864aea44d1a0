/// A key that cannot be loaded or used, or an OpenSSL failure. Messages never contain key material.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for a person.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
