import DevServer
import Foundation
import NetworkIO
import Testing
import TestSupport

/// A DevServer serves at most `maxConnections` sessions; a client past the cap is greeted with 421
/// and disconnected at once (RFC 5321 §3.1) instead of waiting for a thread with its descriptor held.
@Suite struct ConnectionCapTests {
    @Test func aClientPastTheCapIsGreetedWith421() async throws {
        let server = try DevServer.started {
            $0.tls = .none
            $0.maxConnections = 1
        }
        defer { server.stop() }
        let port = server.port
        let executor = BlockingExecutor(name: "test-cap", maxThreads: 1)
        let (first, second) = try await executor.run { () -> (String, String) in
            let held = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
            defer { held.close() }
            let greeting = String(decoding: try held.read(deadline: .after(seconds: 30)), as: UTF8.self)
            let refused = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
            defer { refused.close() }
            var received: [UInt8] = []
            while let bytes = try? refused.read(deadline: .after(seconds: 30)), !bytes.isEmpty { received += bytes }
            return (greeting, String(decoding: received, as: UTF8.self))
        }
        #expect(first.hasPrefix("220 "))
        #expect(second.hasPrefix("421 4.3.2 ") && second.contains("too many connections"), "\(second)")
        #expect(server.connectionCount == 1)
    }
}
