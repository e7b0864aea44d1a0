import Foundation
import NetworkIO
import SMTP

/// smtp-soak: sends many messages through one SMTPPool to a server that fails at random, then
/// joins the client's outcomes with what the server kept (scripts/soak.sh, Docs/Reliability.md).
///
///   smtp-soak [--messages N] [--connections C] [--seed S] [--in-flight F]
///
/// Exit status 0 only when no delivered message is missing, none arrived twice, none of the failed
/// ones arrived, no body was sent twice, descriptors and memory came back to their baseline, and
/// the peak resident memory stayed under 40 MB.
@main
struct SMTPSoak {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        // Numbers 0..<messages are the run; the warm-up's thousand come after them.
        let warmUp = options.messages..<(options.messages + 1_000)
        let ledger = SoakLedger(messages: warmUp.upperBound)
        let server = try FaultServer(ledger: ledger, plan: FaultPlan(), seed: options.seed, stallSeconds: 1.5)
        server.start()

        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .plaintext)
        configuration.clientName = "soak.client.test"
        configuration.timeouts = .init(connection: 5, greeting: 1, socket: 1, dns: 5)
        let limits = SMTPPool.Limits(maxConnections: options.connections, maxMessagesPerConnection: 100)

        // The baseline: after a warm-up pool has come and gone, so the runtime's one-time
        // allocations (threads of the executors, TLS-free sockets, caches) are already in it.
        try await run(warmUp, configuration: configuration, limits: limits, inFlight: options.inFlight,
                      outcomes: nil)
        let baselineDescriptors = ProcessStats.openDescriptors
        let baselineResident = ProcessStats.residentKiB

        let started = Date()
        let outcomes = OutcomeLog(count: options.messages)
        try await run(0..<options.messages, configuration: configuration, limits: limits, inFlight: options.inFlight,
                      outcomes: outcomes)
        let duration = Date().timeIntervalSince(started)
        // Every session the server still runs ends once its client has gone (or its stall is over).
        let settled = Date().addingTimeInterval(10)
        while server.openSessions > 0, Date() < settled { try await Task.sleep(nanoseconds: 20_000_000) }

        let report = SoakReport(outcomes: outcomes.all, ledger: ledger)
        let descriptors = ProcessStats.openDescriptors
        let resident = ProcessStats.residentKiB
        let peak = ProcessStats.peakResidentKiB
        server.stop()

        let memoryBack = resident - baselineResident <= 4_096
        let descriptorsBack = descriptors <= baselineDescriptors
        let peakUnder = peak < 40 * 1024
        print("""
        soak: \(options.messages) messages, pool of \(options.connections) connections, \(options.inFlight) sends in flight, seed \(options.seed)
          sent        \(report.sent)
          delivered   \(report.delivered)
          failed      \(report.failed)
          unknown     \(report.unknown) (of which the server had kept \(report.unknownKept))
          lost        \(report.lost)
          duplicates  \(report.duplicates)
          failed but kept \(report.failedButKept)
          bodies sent twice \(report.bodiesSentTwice)
          Message-ID mismatches \(report.messageIDMismatches)
          server sessions \(server.sessionCount), faults acted out \(server.tally.total):
            \(server.tally.lines.joined(separator: "\n    "))
          duration    \(String(format: "%.1f", duration)) s (\(Int(Double(options.messages) / duration)) msg/s)
          descriptors \(descriptors) after, \(baselineDescriptors) at baseline\(descriptorsBack ? "" : "  <- NOT BACK")
          resident    \(resident / 1024) MB after, \(baselineResident / 1024) MB at baseline\(memoryBack ? "" : "  <- NOT BACK")
          peak RSS    \(String(format: "%.1f", Double(peak) / 1024)) MB\(peakUnder ? "" : "  <- OVER 40 MB")
        """)
        let clean = report.isClean && report.sent == options.messages && memoryBack && descriptorsBack && peakUnder
        print(clean ? "soak: PASS" : "soak: FAIL")
        exit(clean ? 0 : 1)
    }

    /// Sends `numbers` through a new pool, `inFlight` at a time, recording each outcome; then shuts
    /// the pool down.
    static func run(_ numbers: Range<Int>, configuration: SMTPClientConfiguration, limits: SMTPPool.Limits, inFlight: Int,
                    outcomes: OutcomeLog?) async throws {
        let pool = try SMTPPool(configuration: configuration, limits: limits)
        await withTaskGroup(of: Void.self) { group in
            var next = numbers.lowerBound
            func add() {
                let number = next
                next += 1
                group.addTask {
                    let outcome: SoakReport.Outcome
                    do {
                        _ = try await pool.send(envelope: SMTPEnvelope(from: SoakMessage.sender(number), recipients: ["rcpt@soak.test"]),
                                                message: SoakMessage.bytes(number))
                        outcome = .delivered
                    } catch let error as SMTPError {
                        outcome = error.outcomeUnknown ? .unknown : .failed
                    } catch {
                        outcome = .unknown
                    }
                    outcomes?.record(outcome, for: number)
                }
            }
            while next < numbers.upperBound, next - numbers.lowerBound < inFlight { add() }
            while await group.next() != nil {
                if next < numbers.upperBound { add() }
            }
        }
        await pool.shutdown()
    }
}

/// The command line.
struct Options {
    var messages = 100_000
    var connections = 4
    var seed: UInt64 = 2026
    var inFlight = 32

    init(_ arguments: ArraySlice<String>) {
        var rest = arguments
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { break }
            switch flag {
            case "--messages": messages = Int(value) ?? messages
            case "--connections": connections = Int(value) ?? connections
            case "--seed": seed = UInt64(value) ?? seed
            case "--in-flight": inFlight = Int(value) ?? inFlight
            default: FileHandle.standardError.write(Data("smtp-soak: unknown option \(flag)\n".utf8)); exit(2)
            }
        }
    }
}
