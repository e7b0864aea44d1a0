import COpenSSL
import Glibc

/// One OpenSSL `SSL` session, freed with this object.
///
/// `@unchecked Sendable`: the pointer never changes; the stream that owns it uses it from one
/// thread at a time (a connection's operations run one after another on the executor).
final class SSLSession: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { SSL_free(pointer) }
}

/// The TLS half of ``NetworkStream``: the handshake (client or server, with SNI, host-name
/// verification and resumption), what it negotiated, and how the session ends.
extension NetworkStream {
    /// Whether the TLS handshake resumed an earlier session (RFC 8446 §2.2) instead of a full one.
    public var resumedSession: Bool {
        guard let ssl else { return false }
        return SSL_session_reused(ssl) == 1
    }

    /// The name the peer's certificate was checked against, once a verified handshake succeeded.
    public var verifiedName: String? { state.withLock { $0.verifiedName } }

    /// Whether TLS is active: the handshake succeeded (not merely began) and no fatal error followed.
    public var isSecure: Bool { state.withLock { $0.established && !$0.failed } }

    /// The negotiated protocol version, e.g. "TLSv1.3", once TLS is active.
    public var tlsVersion: String? {
        guard let ssl, let name = SSL_get_version(ssl) else { return nil }
        return String(cString: name)
    }

    /// The negotiated cipher suite, e.g. "TLS_AES_256_GCM_SHA384", once TLS is active.
    public var tlsCipher: String? {
        guard let ssl, let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else { return nil }
        return String(cString: name)
    }

    /// The peer certificate's subject and expiry, e.g. "CN=smtp.gmail.com, valid until Jan 12 08:21:33 2027 GMT".
    public var peerCertificateSummary: String? {
        guard let ssl, let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        var subject = [CChar](repeating: 0, count: 256)
        X509_NAME_oneline(X509_get_subject_name(certificate), &subject, Int32(subject.count))
        var text = String(decoding: subject.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("/") { text = String(text.dropFirst()).replacingOccurrences(of: "/", with: ", ") }
        if let bio = BIO_new(BIO_s_mem()) {
            defer { BIO_free(bio) }
            if ASN1_TIME_print(bio, X509_get0_notAfter(certificate)) == 1 {
                var data: UnsafeMutablePointer<CChar>?
                let length = c_bio_get_mem_data(bio, &data)
                if let data, length > 0 {
                    text += ", valid until " + String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                }
            }
        }
        return text
    }

    /// Performs the TLS handshake over this stream.
    ///
    /// As a client, `serverName` is sent as SNI (unless it is an IP address, RFC 6066 §3) and,
    /// when the context verifies peers, checked against the certificate: dNSName with a wildcard only
    /// as the whole left-most label, or an IP address SAN for address literals (RFC 6125, RFC 7817).
    /// A client whose context verifies peers refuses to start without a name to check (nil, empty or
    /// blank): OpenSSL would otherwise accept any trusted certificate, for any host.
    /// - Throws: ``NetworkError`` of kind `certificate` when verification fails or there is no name
    ///   to verify, `tls` otherwise.
    public func startTLS(_ context: TLSContext, serverName: String?, deadline: Deadline) throws {
        try cancellable { try handshake(context, serverName: serverName, deadline: deadline) }
    }

    private func handshake(_ context: TLSContext, serverName: String?, deadline: Deadline) throws {
        precondition(ssl == nil, "TLS is already active")
        let name = serverName.map { $0.trimmingBlanks.trimmingBrackets } ?? ""
        if !context.isServer, context.verifiesPeer, name.isEmpty {
            throw NetworkError(.certificate, "there is no host name to check the server's certificate against")
        }
        guard let session = SSL_new(context.pointer) else {
            throw NetworkError(.tls, "cannot create a TLS session: \(OpenSSLErrors.drain())")
        }
        state.withLock { $0.session = SSLSession(session) }
        SSL_set_fd(session, socket.descriptor)
        if context.isServer {
            SSL_set_accept_state(session)
        } else {
            SSL_set_connect_state(session)
            try configureClient(session, context: context, name: name)
        }
        while true {
            ERR_clear_error()
            let result = SSL_do_handshake(session)
            if result == 1 {
                state.withLock { state in
                    state.established = true
                    guard !context.isServer else { return }
                    if context.verifiesPeer { state.verifiedName = name }
                    if !name.isEmpty { state.resumption = (context.resumableSessions, name) }
                }
                return
            }
            let code = SSL_get_error(session, result)
            switch code {
            case SSL_ERROR_WANT_READ: try socket.wait(for: Int16(POLLIN), deadline: deadline)
            case SSL_ERROR_WANT_WRITE: try socket.wait(for: Int16(POLLOUT), deadline: deadline)
            default:
                markTLSFailed()
                let verification = SSL_get_verify_result(session)
                if context.verifiesPeer, verification != X509_V_OK {
                    let reason = String(cString: X509_verify_cert_error_string(verification))
                    throw NetworkError(.certificate, "the server's certificate was not accepted: \(reason)")
                }
                throw tlsFailure("TLS handshake failed", code: code)
            }
        }
    }

    private func configureClient(_ session: OpaquePointer, context: TLSContext, name: String) throws {
        guard !name.isEmpty else { return }  // only without verification (checked by the caller)
        let isAddress = Self.isIPAddress(name)
        if !isAddress { _ = c_ssl_set_tlsext_host_name(session, name) }
        if let resumable = context.resumableSessions.take(for: name) {
            SSL_set_session(session, resumable)  // takes its own reference
            state.withLock { $0.offeredSession = Int(bitPattern: resumable) }
            SSL_SESSION_free(resumable)
        }
        guard context.verifiesPeer else { return }
        let parameters = SSL_get0_param(session)
        let ok = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(parameters, name)
                           : X509_VERIFY_PARAM_set1_host(parameters, name, 0)
        guard ok == 1 else { throw NetworkError(.tls, "cannot check the certificate for \(name)") }
        // RFC 6125 §6.4.3: a wildcard matches one whole left-most label only.
        X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
    }

    /// Ends the TLS session before the socket closes: keeps its newest ticket for resumption and sends
    /// close_notify, both only for a session that was established and had no fatal error. OpenSSL
    /// forbids SSL_shutdown after SSL_ERROR_SSL or SSL_ERROR_SYSCALL (SSL_shutdown(3)), and a failed
    /// session must not be offered again.
    func closeTLS() {
        let (ssl, sound, resumption, offered) = state.withLock { state in
            defer { state.resumption = nil }
            return (state.session?.pointer, state.established && !state.failed, state.resumption, state.offeredSession)
        }
        guard let ssl, sound else { return }
        // The latest session (TLS 1.3: the newest ticket the server sent) for the next connection.
        if let (cache, name) = resumption, let session = SSL_get1_session(ssl) {
            if Int(bitPattern: session) == offered {
                SSL_SESSION_free(session)  // RFC 8446 Appendix C.4: each ticket once
            } else {
                cache.store(session, for: name)
            }
        }
        ERR_clear_error()
        SSL_shutdown(ssl)
    }

    /// Records a fatal TLS error (see ``closeTLS()``).
    func markTLSFailed() {
        state.withLock { $0.failed = true }
    }

    /// The error for a failed TLS call; records the failure (every caller's error is fatal).
    func tlsFailure(_ what: String, code: Int32) -> NetworkError {
        markTLSFailed()
        if code == SSL_ERROR_SYSCALL, errno == EPIPE || errno == ECONNRESET || errno == 0 {
            let details = OpenSSLErrors.drain()
            return NetworkError(.closed, "\(what): the peer closed the connection" +
                                (details == "unknown TLS error" ? "" : " (\(details))"))
        }
        return NetworkError(.tls, "\(what): \(OpenSSLErrors.drain())")
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }

    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
