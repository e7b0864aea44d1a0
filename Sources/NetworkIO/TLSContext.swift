import COpenSSL
import CryptoSupport
import Glibc

/// An OpenSSL `SSL_CTX` built from a ``TLSConfiguration``. Immutable once built, so it can be
/// shared by every connection that uses the same settings.
///
/// `@unchecked Sendable`: an immutable OpenSSL handle; OpenSSL allows one `SSL_CTX` to create
/// sessions on many threads at once.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Whether this is the server side.
    public let isServer: Bool
    /// Whether clients built from this context verify the peer.
    public let verifiesPeer: Bool
    /// Client sessions to resume, per server name.
    let resumableSessions = TLSSessionCache()

    /// Builds a context.
    /// - Throws: ``NetworkError`` of kind `tls` when a PEM does not load.
    public init(_ configuration: TLSConfiguration) throws {
        Self.ignoreSIGPIPE
        isServer = configuration.certificateChainPEM != nil
        verifiesPeer = configuration.verifyPeer && !isServer
        guard let context = SSL_CTX_new(isServer ? TLS_server_method() : TLS_client_method()) else {
            throw NetworkError(.tls, "cannot create a TLS context: \(OpenSSLErrors.drain())")
        }
        pointer = context
        let version = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        _ = c_ssl_ctx_set_min_proto_version(context, version)
        // Non-blocking sockets: let SSL_read report WANT_READ instead of retrying internally.
        _ = c_ssl_ctx_set_mode_auto_retry_off(context)
        c_ssl_ctx_ignore_unexpected_eof(context)
        if isServer {
            try loadIdentity(configuration)
        } else if verifiesPeer {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            if let pem = configuration.trustedCertificatesPEM {
                try trust(pem)
            } else if SSL_CTX_set_default_verify_paths(context) != 1 {
                throw NetworkError(.tls, "cannot load the system CA store: \(OpenSSLErrors.drain())")
            }
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
    }

    deinit { SSL_CTX_free(pointer) }

    private func trust(_ pem: String) throws {
        let certificates = try PEM.certificates(pem)
        guard !certificates.isEmpty else {
            throw NetworkError(.tls, "tls.ca holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
        }
        let store = SSL_CTX_get_cert_store(pointer)
        for certificate in certificates {
            X509_STORE_add_cert(store, certificate)
            X509_free(certificate)
        }
    }

    private func loadIdentity(_ configuration: TLSConfiguration) throws {
        let chain = try PEM.certificates(configuration.certificateChainPEM ?? "")
        guard let leaf = chain.first else { throw NetworkError(.tls, "the server certificate PEM is empty") }
        defer { chain.forEach { X509_free($0) } }
        guard SSL_CTX_use_certificate(pointer, leaf) == 1 else {
            throw NetworkError(.tls, "cannot use the server certificate: \(OpenSSLErrors.drain())")
        }
        // CryptoSupport's loader: an encrypted key fails with a clear error instead of OpenSSL
        // prompting for its passphrase on the terminal (which would block a server).
        let key: PrivateKey
        do {
            key = try PrivateKey(pem: configuration.privateKeyPEM ?? "")
        } catch {
            throw NetworkError(.tls, "the server private key \(error)")
        }
        guard SSL_CTX_use_PrivateKey(pointer, key.pointer) == 1, SSL_CTX_check_private_key(pointer) == 1 else {
            throw NetworkError(.tls, "the private key does not match the certificate: \(OpenSSLErrors.drain())")
        }
    }

    /// OpenSSL writes to sockets with write(2), which raises SIGPIPE when the peer has gone; the
    /// default action would kill the process, so it is ignored once, process-wide.
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()
}

/// Reading PEM text with OpenSSL.
enum PEM {
    static func certificates(_ pem: String) throws -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        let bytes = Array(pem.utf8)
        try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw NetworkError(.tls, "out of memory reading PEM")
            }
            defer { BIO_free(bio) }
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                result.append(certificate)
            }
            ERR_clear_error()  // the loop ends with a harmless "no start line"
        }
        return result
    }
}

/// OpenSSL's thread-local error queue, as text.
enum OpenSSLErrors {
    static func drain() -> String {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "unknown TLS error" : messages.joined(separator: "; ")
    }
}
