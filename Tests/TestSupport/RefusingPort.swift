import Glibc

/// A loopback port that refuses every connection: bound but never listening, so the kernel
/// answers a SYN with a reset, and no other test can take the port while this value lives.
/// (A stopped server's port could be taken by a test running beside this one.)
public final class RefusingPort: @unchecked Sendable {
    private let descriptor: Int32
    /// The port.
    public let port: Int

    /// Binds a free loopback port.
    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard descriptor >= 0, bound else {
            close(descriptor)
            throw BindFailure()
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// No loopback port could be bound.
public struct BindFailure: Error {}
