import Dispatch
import Glibc
import Locking

/// Name resolution with a timeout and prompt cancellation.
///
/// `getaddrinfo` cannot be interrupted, so it runs on a small executor of its own while the caller
/// waits with a deadline; a cancelled or timed-out caller returns at once and the lookup finishes
/// on its own. IP address literals are not looked up at all.
public enum Resolver {
    /// Where lookups run: at most 8 at a time, apart from the connections that wait for them.
    static let executor = BlockingExecutor(name: "smtp-dns", maxThreads: 8)

    /// The addresses of `host`, ordered for connecting: the families interleaved, starting with
    /// the first one the resolver returned (RFC 8305 §4).
    /// - Parameters:
    ///   - host: a DNS name, or an IPv4 or IPv6 address (brackets allowed).
    ///   - port: the TCP port.
    ///   - deadline: when to give up (`dnsTimeout`).
    ///   - token: cancels the wait.
    /// - Throws: ``NetworkError`` of kind `resolve`, `timeout` or `cancelled`.
    public static func resolve(host: String, port: Int, deadline: Deadline = .never,
                               token: CancellationToken? = nil) throws -> [SocketAddress] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if NetworkStream.isIPAddress(name) { return try lookUp(name, port: port) }
        let result = Locked<Result<[SocketAddress], NetworkError>?>(nil)
        // Set when the caller stops waiting, so a lookup still queued is skipped, not run for nobody:
        // otherwise abandoned lookups would pile up behind a slow resolver and delay every later one.
        let abandoned = Locked(false)
        let done = DispatchSemaphore(value: 0)
        executor.execute {
            defer { done.signal() }
            guard !abandoned.withLock({ $0 }) else { return }
            let outcome = Result { () throws(NetworkError) in try lookUp(name, port: port) }
            result.withLock { $0 = outcome }
        }
        token?.wake(done)
        defer { token?.forget(done) }
        let timedOut = done.wait(timeout: deadline.dispatchTime) == .timedOut
        if timedOut || token?.isCancelled == true { abandoned.withLock { $0 = true } }
        if token?.isCancelled == true { throw NetworkError(.cancelled, "the operation was cancelled") }
        guard !timedOut, let outcome = result.withLock({ $0 }) else {
            throw NetworkError(.resolveTimeout, "resolving \(host) timed out")
        }
        return interleaved(try outcome.get())
    }

    static func interleaved(_ addresses: [SocketAddress]) -> [SocketAddress] {
        guard let first = addresses.first?.family else { return [] }
        var preferred = addresses.filter { $0.family == first }[...]
        var others = addresses.filter { $0.family != first }[...]
        var ordered: [SocketAddress] = []
        while !preferred.isEmpty || !others.isEmpty {
            if let next = preferred.popFirst() { ordered.append(next) }
            if let next = others.popFirst() { ordered.append(next) }
        }
        return ordered
    }

    private static func lookUp(_ name: String, port: Int) throws(NetworkError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw NetworkError(.resolve, "cannot resolve \(name): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            if let address = SocketAddress(info.pointee) { addresses.append(address) }
            current = info.pointee.ai_next
        }
        return addresses
    }
}
