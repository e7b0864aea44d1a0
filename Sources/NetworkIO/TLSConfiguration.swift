/// How a TLS client checks the server, and what a TLS server presents.
public struct TLSConfiguration: Sendable, Equatable {
    /// The oldest protocol version accepted.
    public enum MinimumVersion: String, Sendable, Equatable {
        /// TLS 1.2 (RFC 8997 sets it as the floor). The default.
        case tls12 = "TLSv1.2"
        /// TLS 1.3 only.
        case tls13 = "TLSv1.3"
    }

    /// Whether to verify the peer's chain and host name. Default `true`; turning it off exposes the
    /// connection (and the password sent over it) to anyone on the path.
    public var verifyPeer: Bool
    /// Trusted certificates in PEM; when set they replace the system's CA store (Node's `ca`).
    public var trustedCertificatesPEM: String?
    /// The oldest version accepted. Default TLS 1.2.
    public var minimumVersion: MinimumVersion
    /// Server side only: the certificate chain to present, PEM.
    public var certificateChainPEM: String?
    /// Server side only: the private key, PEM.
    public var privateKeyPEM: String?

    /// A client configuration.
    /// - Parameters:
    ///   - verifyPeer: check chain and host name (default true).
    ///   - trustedCertificatesPEM: CAs to trust instead of the system store.
    ///   - minimumVersion: the oldest version accepted (default TLS 1.2).
    public static func client(verifyPeer: Bool = true, trustedCertificatesPEM: String? = nil,
                              minimumVersion: MinimumVersion = .tls12) -> TLSConfiguration {
        TLSConfiguration(verifyPeer: verifyPeer, trustedCertificatesPEM: trustedCertificatesPEM,
                         minimumVersion: minimumVersion, certificateChainPEM: nil, privateKeyPEM: nil)
    }

    /// A server configuration presenting `certificateChainPEM` with `privateKeyPEM`.
    public static func server(certificateChainPEM: String, privateKeyPEM: String) -> TLSConfiguration {
        TLSConfiguration(verifyPeer: false, trustedCertificatesPEM: nil, minimumVersion: .tls12,
                         certificateChainPEM: certificateChainPEM, privateKeyPEM: privateKeyPEM)
    }
}
