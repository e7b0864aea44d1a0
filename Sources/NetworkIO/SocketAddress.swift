import Glibc

/// An IPv4 or IPv6 socket address, as name resolution returns it.
public struct SocketAddress: Sendable {
    private var storage: sockaddr_storage
    private var length: socklen_t

    init?(_ info: addrinfo) {
        guard let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 else { return nil }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen)))
        }
        self.storage = storage
        self.length = info.ai_addrlen
    }

    init(storage: sockaddr_storage) {
        self.storage = storage
        self.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    }

    var family: Int32 { Int32(storage.ss_family) }

    var port: Int {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                return Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
            }
            return Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
    }

    func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The IP address as text, e.g. "127.0.0.1" or "::1".
    public var text: String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = withUnsafeBytes(of: storage) { raw -> Bool in
            if family == AF_INET6 {
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                return inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil
            }
            var address = raw.load(as: sockaddr_in.self).sin_addr
            return inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil
        }
        return ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    /// The address as an SMTP address literal: `[127.0.0.1]` or `[IPv6:::1]` (RFC 5321 §4.1.3).
    public var smtpLiteral: String? {
        text.map { family == AF_INET6 ? "[IPv6:\($0)]" : "[\($0)]" }
    }

    /// `host:port` as a URL or a Host header writes it: an IPv6 address in brackets (RFC 3986 §3.2.2).
    /// - Parameters:
    ///   - host: a name or an IP address, an IPv6 address without brackets.
    ///   - port: the port.
    public static func authority(host: String, port: Int) -> String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}
