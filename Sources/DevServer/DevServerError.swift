import NetworkIO

/// A DevServer that could not start.
public struct DevServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The throwaway certificate a DevServer presents; made by NetworkIO, which owns TLS.
public typealias SelfSignedCertificate = NetworkIO.SelfSignedCertificate
