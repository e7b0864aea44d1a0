import Foundation
import Synchronization

/// Runs `messages` sends over `workers` concurrent workers, each taking the next message number as
/// it frees up; outcomes go to the writer as they come, latencies into per-worker histograms.
struct BenchRun: Sendable {
    let sender: any BenchSender
    let messages: Int
    let workers: Int
    let writer: OutcomeWriter

    /// Sends everything; returns the latency histogram of the whole run.
    func start() async -> LatencyHistogram {
        let next = MessageCounter()
        return await withTaskGroup(of: LatencyHistogram.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var histogram = LatencyHistogram()
                    while true {
                        let index = next.take()
                        guard index < messages else { break }
                        let start = DispatchTime.now().uptimeNanoseconds
                        let (messageID, outcome, reply) = await sender.send(index: index)
                        histogram.record(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                        writer.record(messageID: messageID, outcome: outcome, reply: reply)
                    }
                    return histogram
                }
            }
            return await group.reduce(into: LatencyHistogram()) { $0.merge($1) }
        }
    }
}

/// Hands out message numbers to the workers without a lock or an actor hop.
final class MessageCounter: Sendable {
    private let next = Atomic<Int>(0)

    /// The next message number.
    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
