import Foundation
import Glibc
import Locking

/// A non-blocking TCP socket: connect with a timeout, or listen and accept.
///
/// Methods block the calling thread (with `poll`), so call them from a thread of your own, never
/// from Swift's cooperative pool. ``shutdown()`` may be called from any thread to wake a blocked
/// call; ``close()`` only from the owning thread, once nothing else uses the socket.
public final class TCPSocket: Sendable {
    private struct State {
        var descriptor: Int32
        var shutDown = false
    }

    private let state: Locked<State>

    /// The file descriptor; -1 once closed.
    public var descriptor: Int32 { state.withLock { $0.descriptor } }

    private init(descriptor: Int32) {
        state = Locked(State(descriptor: descriptor))
    }

    deinit { close() }

    /// Connects to `host:port`, trying each resolved address (IPv6 and IPv4) in turn.
    /// - Parameters:
    ///   - host: a DNS name, an IPv4 address or an IPv6 address (with or without brackets).
    ///   - port: the TCP port.
    ///   - localAddress: the local IP address to bind before connecting, if any.
    ///   - deadline: when to give up.
    /// - Throws: ``NetworkError`` of kind `resolve`, `connect` or `timeout`.
    public static func connect(host: String, port: Int, localAddress: String? = nil,
                               deadline: Deadline) throws -> TCPSocket {
        try connect(to: Resolver.resolve(host: host, port: port, deadline: deadline), host: host, port: port,
                    localAddress: localAddress, deadline: deadline, token: nil)
    }

    /// Connects to the first of `addresses` that answers. Each address gets an equal share of the
    /// time left, so a black-holed first address cannot use up the whole deadline (RFC 8305 §5).
    /// - Parameters:
    ///   - addresses: where to connect, in order (see ``Resolver/resolve(host:port:deadline:token:)``).
    ///   - host: the name, for messages.
    ///   - port: the port, for messages.
    ///   - localAddress: the local IP address to bind before connecting, if any.
    ///   - deadline: when to give up altogether (`connectionTimeout`).
    ///   - token: cancels at once, whichever address is being tried.
    /// - Throws: ``NetworkError`` of kind `connect`, `timeout` or `cancelled`.
    public static func connect(to addresses: [SocketAddress], host: String, port: Int, localAddress: String?,
                               deadline: Deadline, token: CancellationToken?) throws -> TCPSocket {
        var lastError = NetworkError(.connect, "no address found for \(host)")
        var timedOut = false
        for (index, address) in addresses.enumerated() {
            let share = deadline.secondsLeft / Double(addresses.count - index)
            let attemptDeadline = min(deadline, .after(seconds: share))
            do {
                return try connect(to: address, localAddress: localAddress, deadline: attemptDeadline, token: token)
            } catch let error as NetworkError {
                if error.kind == .cancelled { throw error }
                timedOut = timedOut || error.kind == .timeout
                lastError = NetworkError(error.kind, "\(error.message) (\(address.text ?? host) port \(port))")
            }
        }
        if timedOut, lastError.kind != .timeout || addresses.count > 1 {
            throw NetworkError(.timeout, "connecting to \(host):\(port) timed out (\(addresses.count) address\(addresses.count == 1 ? "" : "es") tried)")
        }
        throw lastError.kind == .timeout ? NetworkError(.timeout, "connecting to \(host):\(port) timed out") : lastError
    }

    private static func connect(to address: SocketAddress, localAddress: String?, deadline: Deadline,
                                token: CancellationToken?) throws -> TCPSocket {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetworkError(.connect, "socket(): \(errnoText())") }
        let socket = TCPSocket(descriptor: fd)
        try token?.register(socket)  // from here on, a cancel shuts this socket down at once
        try socket.setNonBlocking()
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if let localAddress {
            let local = try Resolver.resolve(host: localAddress, port: 0).first { $0.family == address.family }
            guard let local else {
                throw NetworkError(.connect, "localAddress \(localAddress) is not of the same IP family as the server")
            }
            guard local.withPointer({ Glibc.bind(fd, $0, $1) }) == 0 else {
                throw NetworkError(.connect, "cannot bind localAddress \(localAddress): \(errnoText())")
            }
        }
        let result = address.withPointer { Glibc.connect(fd, $0, $1) }
        if result != 0 {
            guard errno == EINPROGRESS else { throw NetworkError(.connect, "connect: \(errnoText())") }
            try socket.wait(for: Int16(POLLOUT), deadline: deadline)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw NetworkError(.connect, "connect: \(String(cString: strerror(error)))") }
        }
        return socket
    }

    /// Listens on `host:port` (port 0 picks a free one; see ``localPort``).
    public static func listen(host: String, port: Int, backlog: Int32 = 128) throws -> TCPSocket {
        guard let address = try Resolver.resolve(host: host, port: port).first else {
            throw NetworkError(.resolve, "cannot resolve \(host)")
        }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetworkError(.connect, "socket(): \(errnoText())") }
        let socket = TCPSocket(descriptor: fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard address.withPointer({ Glibc.bind(fd, $0, $1) }) == 0 else {
            throw NetworkError(.connect, "cannot listen on \(host):\(port): \(errnoText())")
        }
        guard Glibc.listen(fd, backlog) == 0 else { throw NetworkError(.connect, "listen: \(errnoText())") }
        try socket.setNonBlocking()
        return socket
    }

    /// Waits for and accepts one connection; `nil` once the socket was shut down.
    /// - Throws: ``NetworkError`` (`.io`) when the process or the system is out of descriptors or
    ///   buffers (EMFILE, ENFILE, ENOBUFS, ENOMEM): the listener is still good, so the caller may
    ///   try again once some are freed (``AcceptLoop`` pauses and does).
    public func accept() throws -> TCPSocket? {
        while true {
            let fd = Glibc.accept(descriptor, nil, nil)
            if fd >= 0 {
                let client = TCPSocket(descriptor: fd)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                try client.setNonBlocking()
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return client
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR:
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, -1) < 0, errno != EINTR { return nil }
                if poller.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return nil }
            case ECONNABORTED:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                throw NetworkError(.io, "accept: \(errnoText())")
            default:
                return nil
            }
        }
    }

    /// The local port, e.g. the one the kernel picked for `listen(port: 0)`.
    public var localPort: Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(descriptor, $0, &length) }
        }
        return SocketAddress(storage: storage).port
    }

    /// Asks the kernel to acknowledge the next segments at once instead of delaying the ACK
    /// (TCP_QUICKACK, Linux; the kernel returns to delayed ACKs by itself later).
    ///
    /// After a TLS 1.3 handshake the server sends its session tickets, and then, when the client's
    /// next command arrives, its reply: two small segments. A server with Nagle's algorithm on (RFC
    /// 896; Postfix's smtpd, for one) holds the reply until the tickets are acknowledged, and a
    /// delayed ACK (RFC 1122 §4.2.3.2: up to 500 ms, 40 ms on Linux) then costs that long.
    public func acknowledgeQuickly() {
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), Int32(TCP_QUICKACK), &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Waits until the socket is ready for `events` (POLLIN or POLLOUT).
    /// - Throws: `timeout` when the deadline passes, `cancelled` after ``shutdown()``.
    public func wait(for events: Int16, deadline: Deadline) throws {
        while true {
            if isShutDown { throw NetworkError(.cancelled, "the connection was cancelled") }
            var poller = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&poller, 1, deadline.pollTimeout)
            if ready > 0 {
                if isShutDown { throw NetworkError(.cancelled, "the connection was cancelled") }
                return
            }
            if ready == 0 { throw NetworkError(.timeout, "timed out") }
            if errno != EINTR { throw NetworkError(.io, "poll: \(errnoText())") }
        }
    }

    /// Whether ``shutdown()`` was called (a cancellation, not a peer's doing).
    var isShutDown: Bool { state.withLock { $0.shutDown } }

    /// Stops all traffic and wakes any thread blocked on this socket. Safe from any thread.
    public func shutdown() {
        state.withLock { state in
            guard !state.shutDown, state.descriptor >= 0 else { return }
            state.shutDown = true
            _ = Glibc.shutdown(state.descriptor, Int32(SHUT_RDWR))
        }
    }

    /// Closes the descriptor. Call from the owning thread only.
    public func close() {
        state.withLock { state in
            guard state.descriptor >= 0 else { return }
            _ = Glibc.close(state.descriptor)
            state.descriptor = -1
        }
    }

    private func setNonBlocking() throws {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw NetworkError(.io, "fcntl: \(errnoText())")
        }
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

extension TCPSocket {
    /// The local IP address as an SMTP address literal: `[127.0.0.1]` or `[IPv6:::1]` (RFC 5321 §4.1.3).
    public var localAddressLiteral: String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return status == 0 ? SocketAddress(storage: storage).smtpLiteral : nil
    }
}
