import Dispatch
import Foundation
import Locking
@testable import NetworkIO
import Testing
import TestSupport

/// Connect deadlines shared among addresses, address order, and writes that time out only on
/// inactivity.
@Suite struct DeadlineTests {
    /// A listener whose one-slot backlog is full: the kernel drops further SYNs, so connecting to it
    /// hangs like connecting to a black-holed address.
    static func blackHole() throws -> (listener: TCPSocket, filler: TCPSocket) {
        let listener = try TCPSocket.listen(host: "127.0.0.1", port: 0, backlog: 0)
        let filler = try TCPSocket.connect(host: "127.0.0.1", port: listener.localPort, deadline: .after(seconds: 5))
        return (listener, filler)
    }

    /// The first address swallows the SYN; the second answers. With the deadline shared, the first
    /// gets half of it and the second is still tried in time.
    @Test func aBlackHoledFirstAddressLeavesTimeForTheNext() throws {
        let (hole, filler) = try Self.blackHole()
        defer { hole.shutdown(); filler.close() }
        let good = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        defer { good.shutdown() }
        let addresses = try Resolver.resolve(host: "127.0.0.1", port: hole.localPort)
            + Resolver.resolve(host: "127.0.0.1", port: good.localPort)
        let start = Date()
        let socket = try TCPSocket.connect(to: addresses, host: "127.0.0.1", port: good.localPort, localAddress: nil,
                                           deadline: .after(seconds: 4), token: nil)
        defer { socket.close() }
        #expect(Date().timeIntervalSince(start) >= 1.9, "the black-holed first address had its half (2 s) of the 4 s")
        #expect(socket.descriptor >= 0)
    }

    @Test func everyAddressTimedOutIsATimeoutNamingHowManyWereTried() throws {
        let (hole, filler) = try Self.blackHole()
        defer { hole.shutdown(); filler.close() }
        let address = try Resolver.resolve(host: "127.0.0.1", port: hole.localPort)
        let error = #expect(throws: NetworkError.self) {
            try TCPSocket.connect(to: address + address, host: "mail.example.test", port: hole.localPort, localAddress: nil,
                                  deadline: .after(seconds: 0.6), token: nil)
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("2 addresses tried") == true)
    }

    @Test func addressFamiliesAreInterleavedStartingWithTheFirst() throws {
        let v6 = try Resolver.resolve(host: "::1", port: 25)
        let v4 = try Resolver.resolve(host: "127.0.0.1", port: 25)
        let ordered = Resolver.interleaved(v6 + v6 + v4 + v4)
        #expect(ordered.map(\.family) == [v6[0].family, v4[0].family, v6[0].family, v4[0].family])
    }

    /// A reader that takes 128 KiB every 20 ms: the whole 40 MiB write takes over 6.4 s, longer
    /// than its 5 s inactivity timeout, yet never stalls that long, so it succeeds. (TCP reopens the
    /// window in bursts, so the pauses between writes are longer than the reader's; still well
    /// under 5 s, even when a loaded machine delays the reader by a time slice or several.) The
    /// blocking write runs on a thread of its own, not on the cooperative pool.
    @Test func aSlowButSteadyReaderNeverTripsTheInactivityTimeout() async throws {
        let listener = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        defer { listener.shutdown() }
        let received = Locked(0)
        let total = 40 << 20
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            guard let client = try? listener.accept() else { return }
            let stream = NetworkStream(socket: client)
            while received.withLock({ $0 }) < total {
                guard let bytes = try? stream.read(maxLength: 131_072, deadline: .after(seconds: 60)), !bytes.isEmpty else { return }
                received.withLock { $0 += bytes.count }
                usleep(20_000)
            }
        }.start()
        let elapsed = try await OwnThreadExecutor.run { () throws -> Double in
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: listener.localPort, deadline: .after(seconds: 30)))
            defer { stream.close() }
            let start = Date()
            try stream.write(Array(repeating: 0x61, count: total), inactivityTimeout: 5)
            let elapsed = Date().timeIntervalSince(start)
            done.wait()
            return elapsed
        }
        #expect(received.withLock { $0 } == total)
        #expect(elapsed > 5, "the write outlasted its 5 s inactivity timeout: only inactivity counts")
    }

    @Test func aReaderThatStopsTripsTheInactivityTimeout() throws {
        let listener = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        defer { listener.shutdown() }
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: listener.localPort, deadline: .after(seconds: 5)))
        defer { stream.close() }
        let error = #expect(throws: NetworkError.self) {
            try stream.write(Array(repeating: 0x61, count: 64 << 20), inactivityTimeout: 0.5)  // nobody reads
        }
        #expect(error?.kind == .timeout)
    }
}
