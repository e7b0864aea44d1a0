import DevServer
import Foundation
import NetworkIO
import Testing
import TestSupport

/// A client that sends its command a byte at a time cannot hold a DevServer session: a command
/// line has one deadline (`idleTimeout`) for the whole line, not one per read.
@Suite struct TrickleTests {
    @Test func aTrickledCommandLineEndsTheSessionAfterIdleTimeout() async throws {
        let server = try DevServer.started { $0.idleTimeout = 2 }
        defer { server.stop() }
        let port = server.port
        let executor = BlockingExecutor(name: "test-trickle", maxThreads: 1)
        let (elapsed, closedEarly) = try await executor.run { () -> (Duration, Bool) in
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
            defer { stream.close() }
            _ = try stream.read(deadline: .after(seconds: 30))  // the greeting
            let start = ContinuousClock.now
            // 120 bytes at one per 0.5 s would take 60 s: each read is quick, the line never done.
            for byte in Array(("EHLO " + String(repeating: "t", count: 115)).utf8) {
                if (try? stream.write([byte], deadline: .after(seconds: 5))) == nil { return (start.duration(to: .now), true) }
                if let bytes = try? stream.read(deadline: .after(seconds: 0.5)), bytes.isEmpty {
                    return (start.duration(to: .now), true)  // the server closed the connection
                }
            }
            return (start.duration(to: .now), false)
        }
        #expect(closedEarly, "the session outlasted a 60 s trickle")
        // idleTimeout is 2 s for the line; the trickle would last 60 s.
        #expect(elapsed < .seconds(15), "closed by the line's 2 s deadline, not after the 60 s trickle: \(elapsed)")
    }
}
