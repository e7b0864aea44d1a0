import COpenSSL
import Glibc
import Locking

/// A byte stream over a ``TCPSocket``, in plaintext until ``startTLS(_:serverName:deadline:)``
/// upgrades it (for STARTTLS or implicit TLS).
///
/// Owned by one thread: every method but ``cancel()`` blocks that thread until done or until the
/// deadline passes. ``cancel()`` is safe from any thread and makes the blocked call throw.
/// This file is the byte I/O; NetworkStream+TLS.swift the TLS session (handshake, resumption,
/// what was negotiated, how it ends).
public final class NetworkStream: Sendable {
    struct State {
        var session: SSLSession?
        /// Set once the handshake succeeded: only then is the stream secure.
        var established = false
        /// Set when OpenSSL reported a fatal error (SSL_ERROR_SSL or SSL_ERROR_SYSCALL): the session
        /// must then not be shut down (SSL_shutdown(3)) nor kept for resumption.
        var failed = false
        var verifiedName: String?
        /// Where this client session goes for resumption when the stream closes, and under which name.
        var resumption: (cache: TLSSessionCache, name: String)?
        /// The session offered for resumption (its address): it is never stored again, since a
        /// server that sent no new ticket leaves the connection on the same one.
        var offeredSession: Int?
    }

    /// The underlying socket.
    public let socket: TCPSocket
    let state = Locked(State())

    /// Wraps a connected socket.
    public init(socket: TCPSocket) {
        self.socket = socket
    }

    /// The TLS session, once a handshake began.
    var ssl: OpaquePointer? { state.withLock { $0.session?.pointer } }

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
                case SSL_ERROR_SYSCALL where savedErrno == 0 || savedErrno == ECONNRESET:
                    markTLSFailed()
                    return []
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
    func cancellable<T>(_ body: () throws -> T) throws -> T {
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
                    markTLSFailed()
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

    /// Sends a TLS close_notify (when TLS is active and sound) and closes the socket.
    public func close() {
        closeTLS()
        socket.close()
    }

    /// Wakes and fails any blocked call. Safe from any thread.
    public func cancel() {
        socket.shutdown()
    }
}
