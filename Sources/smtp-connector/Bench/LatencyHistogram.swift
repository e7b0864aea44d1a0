import Foundation

/// Per-message latencies in fixed log-scale buckets (1% apart, 1 µs to over an hour): percentiles
/// within 1%, in constant memory however many messages are sent.
struct LatencyHistogram: Sendable {
    private static let growth = 1.01
    private static let bucketCount = 2_200  // 1.01^2200 µs is about 4 days
    private var counts = [Int](repeating: 0, count: bucketCount)
    private(set) var total = 0
    private(set) var maximum = 0.0

    /// Records one latency in seconds.
    mutating func record(_ seconds: Double) {
        let microseconds = max(1, seconds * 1e6)
        let bucket = min(Self.bucketCount - 1, Int(log(microseconds) / log(Self.growth)))
        counts[bucket] += 1
        total += 1
        maximum = max(maximum, seconds)
    }

    /// Adds another histogram's counts.
    mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        total += other.total
        maximum = max(maximum, other.maximum)
    }

    /// The latency below which `fraction` (0...1) of the messages fell, in seconds.
    func percentile(_ fraction: Double) -> Double {
        guard total > 0 else { return 0 }
        let rank = Int((fraction * Double(total)).rounded(.up))
        var seen = 0
        for (bucket, count) in counts.enumerated() {
            seen += count
            if seen >= max(1, rank) { return min(maximum, pow(Self.growth, Double(bucket + 1)) / 1e6) }
        }
        return maximum
    }

    /// `latency p50=… p90=… p99=… max=…` in milliseconds.
    var summary: String {
        func ms(_ seconds: Double) -> String { String(format: "%.2fms", seconds * 1000) }
        return "latency p50=\(ms(percentile(0.5))) p90=\(ms(percentile(0.9))) p99=\(ms(percentile(0.99))) max=\(ms(maximum))"
    }
}
