import Foundation
import NetworkIO
import Testing
@testable import SMTP

/// Each awaited reply has one deadline for the whole reply (RFC 5321 §4.5.3.2 times a reply, not
/// a read), and `sendTimeout` bounds the transaction: a server that trickles its reply a byte at a
/// time cannot hold a send, or an executor thread, for longer.
@Suite struct ReplyDeadlineTests {
    /// Sends `text` one byte every `interval` seconds; stops when the client has gone.
    private static func trickle(_ peer: ScriptedPeer, _ text: String, interval: Double) {
        for byte in text.utf8 {
            guard (try? peer.stream.write([byte], deadline: .after(seconds: 5))) != nil else { return }
            usleep(UInt32(interval * 1_000_000))
        }
    }

    /// A 250-byte greeting at one byte per 0.5 s takes 125 s; every single read is quick, but the
    /// whole reply must come within greetingTimeout (2 s).
    @Test func aTrickledGreetingTimesOutAfterGreetingTimeout() async throws {
        let server = try ScriptedServer { peer in
            Self.trickle(peer, "220 " + String(repeating: "t", count: 244) + "\r\n", interval: 0.5)
        }
        let client = try FaultInjectionTests.client(server, socketTimeout: 300) { $0.timeouts.greeting = 2 }
        let start = ContinuousClock.now
        let error = try #require(await FaultInjectionTests.sendExpectingError(client))
        let elapsed = start.duration(to: .now)
        await server.finish()
        #expect(error.kind == .timeout)
        #expect(error.phase == .greeting)
        #expect(error.message.contains("greetingTimeout (2 s)"), "\(error.message)")
        // 2 s is the reply's deadline; the trickle would last 125 s, and socketTimeout is 300 s.
        #expect(elapsed < .seconds(40), "timed out by the greeting's deadline (2 s), not after the 125 s trickle: \(elapsed)")
    }

    /// The EHLO reply trickles in: socketTimeout (2 s) bounds the whole reply.
    @Test func aTrickledEHLOReplyTimesOutAfterSocketTimeout() async throws {
        let server = try ScriptedServer { peer in
            try peer.send("220 ready\r\n")
            try peer.expect("EHLO")
            Self.trickle(peer, "250-" + String(repeating: "e", count: 128) + "\r\n250 " + String(repeating: "e", count: 110) + "\r\n", interval: 0.5)
        }
        let client = try FaultInjectionTests.client(server, socketTimeout: 2)
        let start = ContinuousClock.now
        let error = try #require(await FaultInjectionTests.sendExpectingError(client))
        let elapsed = start.duration(to: .now)
        await server.finish()
        #expect(error.kind == .timeout)
        #expect(error.phase == .ehlo)
        #expect(error.message.contains("socketTimeout (2 s)"), "\(error.message)")
        #expect(elapsed < .seconds(40), "timed out by the reply's deadline (2 s), not after the 124 s trickle: \(elapsed)")
    }

    /// Each reply comes in time, but the server takes 40 s per reply: `sendTimeout` (3 s) ends the
    /// whole send where the per-reply deadlines (240 s) alone would let it run for 160 s.
    @Test func sendTimeoutBoundsTheWholeTransaction() async throws {
        let server = try ScriptedServer { peer in
            try peer.send("220 ready\r\n")
            for reply in ["250 ok", "250 ok", "250 ok", "354 go"] {
                guard (try? peer.readLine()) != nil else { return }
                peer.stall(40)  // returns at once when the client has gone
                guard (try? peer.send(reply + "\r\n")) != nil else { return }
            }
            _ = try? peer.readData()
            try? peer.send("250 queued\r\n")
        }
        let client = try FaultInjectionTests.client(server, socketTimeout: 240) { $0.timeouts.send = 3 }
        let start = ContinuousClock.now
        let error = try #require(await FaultInjectionTests.sendExpectingError(client))
        let elapsed = start.duration(to: .now)
        await server.finish()
        #expect(error.kind == .timeout)
        #expect(error.message.contains("sendTimeout (3 s)"), "\(error.message)")
        #expect(!error.outcomeUnknown, "no data was sent: \(error.message)")
        // The dialogue would take 160 s; each reply's own deadline is 240 s.
        #expect(elapsed < .seconds(50), "ended by sendTimeout (3 s), not by the 160 s dialogue or a 240 s reply deadline: \(elapsed)")
        #expect(elapsed >= .seconds(2.9), "not before sendTimeout: \(elapsed)")
    }

    /// Without `sendTimeout` (the default), the same slow server delivers.
    @Test func withoutSendTimeoutASlowServerDelivers() async throws {
        let server = try ScriptedServer { peer in
            try peer.send("220 ready\r\n")
            for reply in ["250 ok", "250 ok", "250 ok", "354 go"] {
                try peer.readLine()
                usleep(300_000)
                try peer.send(reply + "\r\n")
            }
            _ = try peer.readData()
            try peer.send("250 queued\r\n")
            _ = try? peer.readLine()
            try? peer.send("221 bye\r\n")
        }
        let client = try FaultInjectionTests.client(server, socketTimeout: 30)
        let result = try await client.send(envelope: FaultInjectionTests.envelope, message: FaultInjectionTests.message)
        await server.finish()
        #expect(result.response.code == 250)
    }
}
