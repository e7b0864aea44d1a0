import COpenSSL
import Glibc
import Locking

/// One OpenSSL `SSL` session, freed with this object.
///
/// `@unchecked Sendable`: the pointer never changes; the stream that owns it uses it from one
/// thread at a time (a connection's operations run one after another on the executor).
final class SSLSession: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { SSL_free(pointer) }
}

/// A byte stream over a ``TCPSocket``, in plaintext until ``startTLS(_:serverName:deadline:)``
/// upgrades it (for STARTTLS or implicit TLS).
///
/// Owned by one thread: every method but ``cancel()`` blocks that thread until done or until the
/// deadline passes. ``cancel()`` is safe from any thread and makes the blocked call throw.
public final class NetworkStream: Sendable {
    private struct State {
        var session: SSLSession?
        var verifiedName: String?
        /// Where this client session goes for resumption when the stream closes, and under which name.
        var resumption: (cache: TLSSessionCache, name: String)?
        /// The session offered for resumption (its address): it is never stored again, since a
        /// server that sent no new ticket leaves the connection on the same one.
        var offeredSession: Int?
    }

    /// The underlying socket.
    public let socket: TCPSocket
    private let state = Locked(State())

    /// Wraps a connected socket.
    public init(socket: TCPSocket) {
        self.socket = socket
    }

    /// The TLS session, once a handshake began.
    private var ssl: OpaquePointer? { state.withLock { $0.session?.pointer } }

    /// Whether the TLS handshake resumed an earlier session (RFC 8446 §2.2) instead of a full one.
    public var resumedSession: Bool {
        guard let ssl else { return false }
        return SSL_session_reused(ssl) == 1
    }

    /// The name the peer's certificate was checked against, once a verified handshake succeeded.
    public var verifiedName: String? { state.withLock { $0.verifiedName } }

    /// Whether TLS is active.
    public var isSecure: Bool { ssl != nil }

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

    /// Reads up to `maxLength` bytes. An empty result means the peer closed the stream.
    /// - Throws: ``NetworkError`` (`timeout`, `cancelled`, `io`, `tls`).
    public func read(maxLength: Int = 16_384, deadline: Deadline) throws -> [UInt8] {
        try cancellable { try readBytes(maxLength: maxLength, deadline: deadline) }
    }

    private func readBytes(maxLength: Int, deadline: Deadline) throws -> [UInt8] {
        let ssl = self.ssl  // read once: it sits behind the state lock
        if ssl == nil {
            // A read follows a write in SMTP, and the reply is rarely there yet: wait first, which
            // saves the recv that would only say EAGAIN.
            try socket.wait(for: Int16(POLLIN), deadline: deadline)
        }
        /// Bytes OpenSSL had taken from the socket before this read: more afterwards with no
        /// application data means records of its own (TLS 1.3 session tickets) came in.
        let socketBytesBefore = ssl.map { BIO_number_read(SSL_get_rbio($0)) } ?? 0
        while true {
            var failure: Int32 = 0, savedErrno: Int32 = 0
            // Reads straight into the array that is returned: no zero-filling, no copy.
            let bytes = [UInt8](unsafeUninitializedCapacity: maxLength) { buffer, initialized in
                if let ssl {
                    ERR_clear_error()
                    let count = SSL_read(ssl, buffer.baseAddress, Int32(maxLength))
                    initialized = max(0, Int(count))
                    if count <= 0 { failure = SSL_get_error(ssl, count); savedErrno = errno }
                } else {
                    let count = Glibc.recv(socket.descriptor, buffer.baseAddress, maxLength, 0)
                    initialized = max(0, count)
                    if count < 0 { failure = errno }
                }
            }
            if !bytes.isEmpty { return bytes }
            if ssl != nil {
                switch failure {
                case SSL_ERROR_WANT_READ:
                    // Bytes came in but no application data (TLS 1.3 session tickets, or part of a
                    // record): acknowledge them now, or a server with Nagle's algorithm on holds
                    // its next reply until our delayed ACK (see acknowledgeQuickly()).
                    if let ssl, BIO_number_read(SSL_get_rbio(ssl)) != socketBytesBefore { socket.acknowledgeQuickly() }
                    try socket.wait(for: Int16(POLLIN), deadline: deadline)
                case SSL_ERROR_WANT_WRITE: try socket.wait(for: Int16(POLLOUT), deadline: deadline)
                case SSL_ERROR_ZERO_RETURN: return []
                case SSL_ERROR_SYSCALL where savedErrno == 0 || savedErrno == ECONNRESET: return []
                default:
                    errno = savedErrno
                    throw tlsFailure("TLS read failed", code: failure)
                }
            } else {
                switch failure {
                case 0: return []  // the peer closed the stream
                case EAGAIN, EWOULDBLOCK, EINTR: try socket.wait(for: Int16(POLLIN), deadline: deadline)
                case ECONNRESET: return []
                default: throw NetworkError(.io, "read failed: \(errnoText(failure))")
                }
            }
        }
    }

    /// Writes all of `bytes` by `deadline`.
    /// - Throws: ``NetworkError`` (`timeout`, `cancelled`, `closed`, `io`, `tls`).
    public func write(_ bytes: [UInt8], deadline: Deadline) throws {
        try write(bytes) { _ in deadline }
    }

    /// Writes all of `bytes`, failing only when no byte could be written for `inactivityTimeout`
    /// seconds: a large message on a slow but working link takes as long as it needs.
    /// - Throws: ``NetworkError`` (`timeout`, `cancelled`, `closed`, `io`, `tls`).
    /// - Parameters:
    ///   - bytes: what to write.
    ///   - inactivityTimeout: seconds without progress after which the write fails.
    ///   - limit: a deadline for the whole write, however much progress it makes (default none).
    public func write(_ bytes: [UInt8], inactivityTimeout: Double, limit: Deadline = .never) throws {
        var deadline = min(limit, Deadline.after(seconds: inactivityTimeout))
        var written = 0
        try write(bytes) { progress in
            if progress != written {
                written = progress
                deadline = min(limit, Deadline.after(seconds: inactivityTimeout))
            }
            return deadline
        }
    }

    /// The write loop: `deadline(bytesWrittenSoFar)` gives the deadline for each wait.
    private func write(_ bytes: [UInt8], deadline currentDeadline: (Int) -> Deadline) throws {
        try cancellable { try writeBytes(bytes, deadline: currentDeadline) }
    }

    /// Runs `body`; after ``cancel()`` any failure, or an end of stream, is reported as a cancellation:
    /// the socket was shut down here, not by the peer.
    private func cancellable<T>(_ body: () throws -> T) throws -> T {
        let cancelled = NetworkError(.cancelled, "the connection was cancelled")
        do {
            let result = try body()
            if socket.isShutDown, let bytes = result as? [UInt8], bytes.isEmpty { throw cancelled }
            return result
        } catch let error as NetworkError where error.kind != .cancelled && socket.isShutDown {
            throw cancelled
        }
    }

    private func writeBytes(_ bytes: [UInt8], deadline currentDeadline: (Int) -> Deadline) throws {
        var offset = 0
        while offset < bytes.count {
            if let ssl {
                ERR_clear_error()
                let count = bytes.withUnsafeBytes {
                    // One TLS record (16 KiB) at a time: without partial writes, SSL_write reports
                    // progress only per call, and the inactivity deadline must see progress often.
                    SSL_write(ssl, $0.baseAddress! + offset, Int32(min(bytes.count - offset, 16_384)))
                }
                if count > 0 { offset += Int(count); continue }
                let code = SSL_get_error(ssl, count)
                switch code {
                case SSL_ERROR_WANT_READ: try socket.wait(for: Int16(POLLIN), deadline: currentDeadline(offset))
                case SSL_ERROR_WANT_WRITE: try socket.wait(for: Int16(POLLOUT), deadline: currentDeadline(offset))
                case SSL_ERROR_SYSCALL where errno == EPIPE || errno == ECONNRESET:
                    throw NetworkError(.closed, "the server closed the connection")
                default: throw tlsFailure("TLS write failed", code: code)
                }
            } else {
                let count = bytes.withUnsafeBytes {
                    Glibc.send(socket.descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                }
                if count > 0 { offset += count; continue }
                switch errno {
                case EAGAIN, EWOULDBLOCK, EINTR: try socket.wait(for: Int16(POLLOUT), deadline: currentDeadline(offset))
                case EPIPE, ECONNRESET: throw NetworkError(.closed, "the server closed the connection")
                default: throw NetworkError(.io, "write failed: \(errnoText())")
                }
            }
        }
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
                if !context.isServer {
                    state.withLock { state in
                        if context.verifiesPeer { state.verifiedName = name }
                        if !name.isEmpty { state.resumption = (context.resumableSessions, name) }
                    }
                }
                return
            }
            let code = SSL_get_error(session, result)
            switch code {
            case SSL_ERROR_WANT_READ: try socket.wait(for: Int16(POLLIN), deadline: deadline)
            case SSL_ERROR_WANT_WRITE: try socket.wait(for: Int16(POLLOUT), deadline: deadline)
            default:
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

    /// Sends a TLS close_notify (when TLS is active) and closes the socket.
    public func close() {
        if let ssl {
            // The latest session (TLS 1.3: the newest ticket the server sent) for the next connection.
            let (resumption, offered) = state.withLock { state in
                defer { state.resumption = nil }
                return (state.resumption, state.offeredSession)
            }
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
        socket.close()
    }

    /// Wakes and fails any blocked call. Safe from any thread.
    public func cancel() {
        socket.shutdown()
    }

    private func tlsFailure(_ what: String, code: Int32) -> NetworkError {
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
