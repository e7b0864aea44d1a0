/// A failure below SMTP: resolving, connecting, reading, writing or TLS.
public struct NetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Equatable {
        /// The host name did not resolve.
        case resolve
        /// No connection could be made (refused, unreachable).
        case connect
        /// The deadline passed before the operation completed.
        case timeout
        /// Name resolution did not finish before its deadline (`dnsTimeout`, not `connectionTimeout`).
        case resolveTimeout
        /// The peer closed the connection.
        case closed
        /// A read or write failed.
        case io
        /// The TLS handshake or a TLS record failed.
        case tls
        /// The peer's certificate did not verify (chain, expiry or host name).
        case certificate
        /// The operation was cancelled from another thread.
        case cancelled
    }

    /// What failed.
    public var kind: Kind
    /// Details for a person, e.g. "connection refused by 127.0.0.1:25".
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
