import Foundation

/// Waiting for an event in a test, however busy the machine is: the condition is polled every
/// 5 ms, for at most `seconds` of wall time (a safety net, not a timing assumption).
public enum Waiting {
    /// Returns whether `condition` came to hold in time.
    public static func until(seconds: Double = 60, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while await !condition() {
            guard Date() < deadline else { return false }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return true
    }
}
