import Foundation
import NetworkIO
import Synchronization

/// A plain SMTP server on loopback that misbehaves at random (``FaultPlan``) and records what it
/// received in a ``SoakLedger``. One session per connection, each on a thread of its own executor.
final class FaultServer: Sendable {
    let ledger: SoakLedger
    let tally = FaultTally()
    let plan: FaultPlan
    /// How long a stall lasts: past the client's socket timeout.
    let stallSeconds: Double
    private let seed: UInt64
    private let executor = BlockingExecutor(name: "soak-server", maxThreads: 64)
    private let listener: TCPSocket
    private let sessions = Atomic<UInt64>(0)
    private let open = Atomic<Int>(0)

    init(ledger: SoakLedger, plan: FaultPlan, seed: UInt64, stallSeconds: Double) throws {
        self.ledger = ledger
        self.plan = plan
        self.seed = seed
        self.stallSeconds = stallSeconds
        listener = try TCPSocket.listen(host: "127.0.0.1", port: 0, backlog: 256)
    }

    var port: Int { listener.localPort }
    /// Sessions started so far.
    var sessionCount: UInt64 { sessions.load(ordering: .relaxed) }
    /// Sessions still running.
    var openSessions: Int { open.load(ordering: .relaxed) }

    func start() {
        executor.execute { [self] in
            while let socket = try? listener.accept() {
                let number = sessions.wrappingAdd(1, ordering: .relaxed).newValue
                open.wrappingAdd(1, ordering: .relaxed)
                executor.execute { [self] in
                    let stream = NetworkStream(socket: socket)
                    var random = SplitMix(seed: seed &+ number &* 0x2545_F491_4F6C_DD1D)
                    let byteByByte = random.nextUnit() < plan.byteByByteSessions
                    if byteByByte { tally.count("sessions answered byte by byte") }
                    var session = FaultSession(server: self, stream: stream, byteByByte: byteByByte)
                    session.run(random: &random)
                    stream.close()
                    open.wrappingSubtract(1, ordering: .relaxed)
                }
            }
        }
    }

    /// Stops accepting; sessions end as their clients leave.
    func stop() {
        listener.shutdown()
    }
}
