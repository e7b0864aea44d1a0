import Dispatch
import Foundation

/// SIGINT and SIGTERM, caught from the moment this is made until ``wait()`` has returned, so that a
/// Ctrl-C that comes right after a command's first line is printed stops it cleanly instead of
/// ending the process by the signal's default action.
final class InterruptSignals {
    private let sources: [any DispatchSourceSignal]
    private let signals: AsyncStream<Int32>

    /// Starts catching both signals.
    init() {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let queue = DispatchQueue(label: "interrupt-signals")
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)  // handled by the source below instead of ending the process
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        self.signals = signals
    }

    /// Returns at the first SIGINT or SIGTERM (at once if one came already).
    func wait() async {
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
    }
}
